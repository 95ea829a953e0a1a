package io.zephcast.rabbit;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The RabbitMQ exchange types a {@link RabbitClient} can declare.
 */
public enum ExchangeType {

	/** Routes to the queues whose binding key equals the routing key. */
	DIRECT("direct"),

	/** Routes by pattern: {@code *} matches one word, {@code #} zero or more. */
	TOPIC("topic"),

	/** Routes to every bound queue; the routing key is ignored. */
	FANOUT("fanout"),

	/** Routes by message headers instead of the routing key. */
	HEADERS("headers");

	private final String value;

	ExchangeType(String value) {
		this.value = value;
	}

	/**
	 * The name RabbitMQ uses for this type, e.g. {@code "topic"}.
	 * @return the AMQP exchange type name
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Parses the name the Python zephcast uses ("direct", "topic", "fanout", "headers"),
	 * ignoring case.
	 * @param value the type name
	 * @return the exchange type
	 * @throws IllegalArgumentException naming the allowed values when the name is unknown
	 */
	public static ExchangeType of(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT);
		for (ExchangeType type : values()) {
			if (type.value.equals(normalized)) {
				return type;
			}
		}
		throw new IllegalArgumentException("Unknown exchange type '" + value + "'; allowed values: " + allowedValues());
	}

	static String allowedValues() {
		return Arrays.stream(values()).map(ExchangeType::value).collect(Collectors.joining(", "));
	}

	@Override
	public String toString() {
		return this.value;
	}

}
