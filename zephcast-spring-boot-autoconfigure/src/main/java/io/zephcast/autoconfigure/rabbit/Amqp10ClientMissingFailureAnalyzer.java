package io.zephcast.autoconfigure.rabbit;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Explains a start-up that failed because a stream is set to speak AMQP 1.0 and
 * RabbitMQ's AMQP 1.0 Java client is not on the class path: it names the dependency to
 * add, and the stream's {@code protocol} property ({@code zephcast.rabbit.protocol}, or
 * {@code zephcast.rabbit.streams.<name>.protocol} for a named stream) as the other way
 * out.
 */
class Amqp10ClientMissingFailureAnalyzer extends AbstractFailureAnalyzer<Amqp10ClientMissingException> {

	private final @Nullable BeanFactory beanFactory;

	private final @Nullable Environment environment;

	/**
	 * An analyzer reading the failed context, as Spring Boot creates it.
	 * @param beanFactory the context's bean factory, or {@code null}
	 * @param environment the context's environment, or {@code null}
	 */
	Amqp10ClientMissingFailureAnalyzer(@Nullable BeanFactory beanFactory, @Nullable Environment environment) {
		this.beanFactory = beanFactory;
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, Amqp10ClientMissingException cause) {
		FailedStream stream = FailedStream.of(rootFailure, cause, this.beanFactory, this.environment);
		return new FailureAnalysis(cause.getMessage() + " (amqp-1-0 is set by " + stream.protocolSource() + ").",
				"Add the dependency " + Amqp10ClientMissingException.DEPENDENCY
						+ " (RabbitMQ's AMQP 1.0 Java client) to the application, or set " + stream.property("protocol")
						+ " to amqp-0-9-1.",
				cause);
	}

}
