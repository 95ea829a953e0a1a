package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * How a stream bounds its sends ({@code zephcast.rabbit.publisher.*}), so that its memory
 * stays bounded at any send rate. Every value is {@code null} until set, the default
 * coming from {@link io.zephcast.rabbit.PublisherOptions#DEFAULTS}.
 */
public class ZephcastPublisherProperties {

	/**
	 * At most how many sends await the broker's confirm (or a channel to be written on).
	 * A send beyond that waits up to max-block for room. With large messages, lower it:
	 * the messages held are the memory.
	 */
	private @Nullable Integer maxInFlight;

	/**
	 * At most how long a send waits for room when max-in-flight sends are in flight,
	 * before it fails as not sent (SendFailedException, reason NOT_SENT); zero fails it
	 * at once.
	 */
	private @Nullable Duration maxBlock;

	/**
	 * Largest message body a send may carry, at most the broker's max_message_size
	 * (RabbitMQ 4 defaults to 16MB, 3.x to 128MB). A larger body fails as invalid
	 * (InvalidMessageException) before anything is written, instead of the broker closing
	 * the channel every send shares.
	 */
	private @Nullable DataSize maxMessageSize;

	public @Nullable Integer getMaxInFlight() {
		return this.maxInFlight;
	}

	public void setMaxInFlight(@Nullable Integer maxInFlight) {
		this.maxInFlight = maxInFlight;
	}

	public @Nullable Duration getMaxBlock() {
		return this.maxBlock;
	}

	public void setMaxBlock(@Nullable Duration maxBlock) {
		this.maxBlock = maxBlock;
	}

	public @Nullable DataSize getMaxMessageSize() {
		return this.maxMessageSize;
	}

	public void setMaxMessageSize(@Nullable DataSize maxMessageSize) {
		this.maxMessageSize = maxMessageSize;
	}

}
