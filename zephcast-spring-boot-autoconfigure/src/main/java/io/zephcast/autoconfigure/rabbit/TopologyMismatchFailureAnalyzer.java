package io.zephcast.autoconfigure.rabbit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.TopologyMismatchException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a start-up that failed because the broker refused a declaration, or (a
 * {@link BrokerCompatibilityException}) its version does not support a setting, such as
 * protocol amqp-1-0 on RabbitMQ 3.x, naming the property to change:
 * {@code zephcast.rabbit.<key>} for the default stream,
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
		FailedStream stream = FailedStream.of(rootFailure, cause, this.beanFactory, this.environment);
		String property = stream.property(cause.setting());
		if (cause instanceof BrokerCompatibilityException compatibility && cause.setting().equals("protocol")) {
			// AMQP 1.0 on a RabbitMQ 3.x broker
			return new FailureAnalysis(cause.getMessage(),
					"Use a RabbitMQ 4.0+ broker (" + stream.connectionSource() + " reaches RabbitMQ "
							+ compatibility.brokerVersion() + "), or set " + property + " to amqp-0-9-1.",
					cause);
		}
		if (cause instanceof BrokerCompatibilityException compatibility) {
			return new FailureAnalysis(cause.getMessage(), "Change " + property + " as the description says: RabbitMQ "
					+ compatibility.brokerVersion() + " removed or deprecates what it is set to.", cause);
		}
		if (isNotFound(cause)) {
			// under declare=verify or false: nothing exists to match or delete
			return new FailureAnalysis(cause.getMessage(),
					"Declare it on the broker as the client would, or set " + stream.property("declare")
							+ " to true so that the client declares it (" + property
							+ " is the setting that asks for it).",
					cause);
		}
		return new FailureAnalysis(cause.getMessage(),
				"Set " + property + " to match what exists on the broker, or delete the existing exchange or queue.",
				cause);
	}

	/**
	 * Whether the broker answered that the exchange or queue does not exist (404), which
	 * only a client that checks rather than declares its topology hears.
	 */
	private static boolean isNotFound(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof ShutdownSignalException signal
					&& signal.getReason() instanceof AMQP.Channel.Close close) {
				return close.getReplyCode() == AMQP.NOT_FOUND;
			}
		}
		return false;
	}

}
