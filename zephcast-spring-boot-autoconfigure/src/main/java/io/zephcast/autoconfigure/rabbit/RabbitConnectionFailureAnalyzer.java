package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.RabbitConnectionException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed because the broker could not be reached, instead of a
 * wall of stack traces.
 */
class RabbitConnectionFailureAnalyzer extends AbstractFailureAnalyzer<RabbitConnectionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RabbitConnectionException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Check " + ZephcastPropertyNames.PREFIX + (cause.maskedUrl().contains("://") ? "url" : "addresses")
						+ " (now " + cause.maskedUrl()
						+ "), or start RabbitMQ: 'apt-get install rabbitmq-server && rabbitmq-server -detached', "
						+ "or 'docker run -d -p 5672:5672 rabbitmq:3-management'.",
				cause);
	}

}
