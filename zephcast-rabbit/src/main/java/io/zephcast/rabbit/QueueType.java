package io.zephcast.rabbit;

import java.util.Locale;

/**
 * The kind of queue a {@link RabbitClient} declares.
 */
public enum QueueType {

	/**
	 * RabbitMQ's classic queue: on one node, the default. Attempts are counted by the
	 * client on the copies it retries.
	 */
	CLASSIC("classic"),

	/**
	 * A quorum queue: replicated over the nodes of a cluster (Raft), always durable,
	 * never auto-delete. The broker counts redeliveries ({@code x-delivery-count}), so a
	 * message that kills its consumer is counted too.
	 */
	QUORUM("quorum");

	private final String value;

	QueueType(String value) {
		this.value = value;
	}

	/**
	 * The value of the {@code x-queue-type} argument.
	 * @return {@code classic} or {@code quorum}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Parses {@code classic} or {@code quorum}, ignoring case.
	 * @param value the name
	 * @return the queue type
	 * @throws InvalidRabbitConfigException naming {@code queueType} for any other name
	 */
	public static QueueType of(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT);
		for (QueueType type : values()) {
			if (type.value.equals(normalized)) {
				return type;
			}
		}
		throw new InvalidRabbitConfigException("queueType", value, "allowed values are classic, quorum");
	}

	@Override
	public String toString() {
		return this.value;
	}

}
