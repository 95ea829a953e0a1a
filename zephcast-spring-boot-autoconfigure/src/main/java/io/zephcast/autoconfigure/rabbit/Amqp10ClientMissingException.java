package io.zephcast.autoconfigure.rabbit;

/**
 * A stream is set to speak AMQP 1.0, and RabbitMQ's AMQP 1.0 Java client
 * ({@code com.rabbitmq.client:amqp-client}), an optional dependency, is not on the class
 * path. {@link Amqp10ClientMissingFailureAnalyzer} explains it at start-up.
 */
class Amqp10ClientMissingException extends IllegalStateException {

	/** A class of RabbitMQ's AMQP 1.0 client, to tell whether it is on the class path. */
	static final String CLIENT_CLASS = "com.rabbitmq.client.amqp.Environment";

	/** The dependency that brings it. */
	static final String DEPENDENCY = "com.rabbitmq.client:amqp-client";

	/**
	 * The client of a stream is missing.
	 * @param stream the stream name, which the message names (the failure analysis finds
	 * the stream by it)
	 */
	Amqp10ClientMissingException(String stream) {
		super("Protocol amqp-1-0 for stream '" + stream + "' needs RabbitMQ's AMQP 1.0 Java client (" + DEPENDENCY
				+ "), which is not on the class path");
	}

}
