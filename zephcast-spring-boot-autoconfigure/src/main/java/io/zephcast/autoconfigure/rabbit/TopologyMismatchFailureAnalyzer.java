package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.TopologyMismatchException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a start-up that failed because the broker refused a declaration, or (a
 * {@link BrokerCompatibilityException}) its version does not support a setting, naming
 * the property to change: {@code zephcast.rabbit.<key>} for the default stream,
 * {@code zephcast.rabbit.streams.<name>.<key>} for a named one.
 */
class TopologyMismatchFailureAnalyzer extends AbstractFailureAnalyzer<TopologyMismatchException> {

	private final @Nullable BeanFactory beanFactory;

	private final @Nullable Environment environment;

	/**
	 * An analyzer reading the failed context, as Spring Boot creates it.
	 * @param beanFactory the context's bean factory, or {@code null}
	 * @param environment the context's environment, or {@code null}
	 */
	TopologyMismatchFailureAnalyzer(@Nullable BeanFactory beanFactory, @Nullable Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TopologyMismatchException cause) {
		String property = FailedStream.of(rootFailure, cause, this.beanFactory, this.environment)
			.property(cause.setting());
		if (cause instanceof BrokerCompatibilityException compatibility) {
			return new FailureAnalysis(cause.getMessage(), "Change " + property + " as the description says: RabbitMQ "
					+ compatibility.brokerVersion() + " removed or deprecates what it is set to.", cause);
		}
		return new FailureAnalysis(cause.getMessage(),
				"Set " + property + " to match what exists on the broker, or delete the existing exchange or queue.",
				cause);
	}

}
