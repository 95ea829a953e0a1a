package io.zephcast.rabbit;

import java.util.Locale;

/**
 * The protocol a {@link RabbitClient} speaks to the broker. Both give the same API and
 * the same contract: a send completes when the broker has stored the message, a delivered
 * message is in the queue again unless it was acknowledged.
 */
public enum Protocol {

	/**
	 * AMQP 0-9-1, RabbitMQ's original protocol, through Spring AMQP and the RabbitMQ Java
	 * client: publisher confirms, {@code basic.qos} prefetch, manual acks. The default;
	 * works on RabbitMQ 3.x and 4.x.
	 */
	AMQP_0_9_1("amqp-0-9-1"),

	/**
	 * AMQP 1.0, a core protocol of RabbitMQ 4, through RabbitMQ's AMQP 1.0 Java client
	 * ({@code com.rabbitmq.client:amqp-client}): the broker settles each message
	 * (accepted, released, rejected), prefetch is link credit, and exchanges, queues and
	 * bindings are declared over the same connection. Headers are converted as over AMQP
	 * 0-9-1 (a value of another type as its text), but a list, array or map header, which
	 * AMQP 1.0 application properties cannot hold, travels as its JSON text. Needs
	 * RabbitMQ 4.0 or later.
	 */
	AMQP_1_0("amqp-1-0");

	private final String value;

	Protocol(String value) {
		this.value = value;
	}

	/**
	 * The protocol's name as the {@code protocol} setting spells it.
	 * @return {@code amqp-0-9-1} or {@code amqp-1-0}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Parses {@code amqp-0-9-1} or {@code amqp-1-0}, ignoring case.
	 * @param value the name
	 * @return the protocol
	 * @throws InvalidRabbitConfigException naming {@code protocol} for any other name
	 */
	public static Protocol of(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT);
		for (Protocol protocol : values()) {
			if (protocol.value.equals(normalized)) {
				return protocol;
			}
		}
		throw new InvalidRabbitConfigException("protocol", value, "allowed values are amqp-0-9-1, amqp-1-0");
	}

	@Override
	public String toString() {
		return this.value;
	}

}
