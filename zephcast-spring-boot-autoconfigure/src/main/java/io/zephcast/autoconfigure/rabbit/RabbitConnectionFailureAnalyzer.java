package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.RabbitConnectionException;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a start-up that failed because the broker could not be reached, instead of a
 * wall of stack traces: it names what gave the stream its broker, the property the user
 * set ({@code zephcast.rabbit.url}, or {@code zephcast.rabbit.streams.<name>.url} for a
 * named stream with a URL of its own) or the service connection or Docker Compose service
 * that replaced it.
 */
class RabbitConnectionFailureAnalyzer extends AbstractFailureAnalyzer<RabbitConnectionException> {

	private final @Nullable BeanFactory beanFactory;

	private final @Nullable Environment environment;

	/**
	 * An analyzer reading the failed context, as Spring Boot creates it.
	 * @param beanFactory the context's bean factory, or {@code null}
	 * @param environment the context's environment, or {@code null}
	 */
	RabbitConnectionFailureAnalyzer(@Nullable BeanFactory beanFactory, @Nullable Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RabbitConnectionException cause) {
		FailedStream stream = FailedStream.of(rootFailure, cause, this.beanFactory, this.environment);
		return new FailureAnalysis(cause.getMessage(),
				"Check " + stream.connectionSource() + " (now " + cause.maskedUrl()
						+ "), or start RabbitMQ: 'apt-get install rabbitmq-server && rabbitmq-server "
						+ "-detached', or 'docker run -d -p 5672:5672 rabbitmq:4-management'.",
				cause);
	}

}
