package io.zephcast.rabbit;

/**
 * What a queue does when it reaches its {@code max-length} or {@code max-length-bytes}
 * (the {@code x-overflow} argument).
 */
public enum QueueOverflow {

	/** Drops (or dead-letters) the oldest messages: RabbitMQ's default. */
	DROP_HEAD("drop-head"),

	/**
	 * Refuses new messages: their sends fail as
	 * {@link SendFailedException.Reason#NACKED}.
	 */
	REJECT_PUBLISH("reject-publish"),

	/**
	 * Refuses new messages and dead-letters them; classic queues only.
	 */
	REJECT_PUBLISH_DLX("reject-publish-dlx");

	private final String value;

	QueueOverflow(String value) {
		this.value = value;
	}

	/**
	 * The value of the {@code x-overflow} argument.
	 * @return e.g. {@code reject-publish}
	 */
	public String value() {
		return this.value;
	}

	@Override
	public String toString() {
		return this.value;
	}

}
