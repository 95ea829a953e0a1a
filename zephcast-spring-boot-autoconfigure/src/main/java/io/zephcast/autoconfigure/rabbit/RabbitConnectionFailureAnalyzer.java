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
 * that replaced it. When the broker answers but does not speak AMQP 1.0 (the message says
 * the stream's protocol needs RabbitMQ 4.0), it says to use RabbitMQ 4.0+ or set the
 * stream's {@code protocol} to amqp-0-9-1 instead.
 */
class RabbitConnectionFailureAnalyzer extends AbstractFailureAnalyzer<RabbitConnectionException> {

	/**
	 * What the AMQP 1.0 client's message says when the broker does not speak AMQP 1.0
	 * (RabbitMQ before 4.0), besides naming the {@code protocol} setting.
	 */
	private static final String NEEDS_RABBITMQ_4 = "RabbitMQ 4.0";

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
		String message = cause.getMessage();
		if (message != null && message.contains(NEEDS_RABBITMQ_4) && message.contains("protocol")) {
			// AMQP 1.0 refused by a broker older than RabbitMQ 4.0: it answers, but
			// not in AMQP 1.0, so checking the URL or starting a broker would not help
			return new FailureAnalysis(
					message, "Use a RabbitMQ 4.0+ broker (check " + stream.connectionSource() + ", now "
							+ cause.maskedUrl() + "), or set " + stream.property("protocol") + " to amqp-0-9-1.",
					cause);
		}
		return new FailureAnalysis(cause.getMessage(),
				"Check " + stream.connectionSource() + " (now " + cause.maskedUrl()
						+ "), or start RabbitMQ: 'apt-get install rabbitmq-server && rabbitmq-server "
						+ "-detached', or 'docker run -d -p 5672:5672 rabbitmq:4-management'.",
				cause);
	}

}
