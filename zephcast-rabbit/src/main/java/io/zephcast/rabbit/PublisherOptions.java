package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How a {@link RabbitClient} bounds its sends, so that its memory stays bounded at any
 * send rate and no send is written that the broker would refuse for its size.
 * <p>
 * A send holds its message from {@link RabbitClient#send} until the broker confirms it.
 * At most {@code maxInFlight} sends are held; a send beyond that waits up to
 * {@code maxBlock} for room (on its caller's thread: the back-pressure an application
 * sending faster than the broker confirms needs), then fails as
 * {@link SendFailedException.Reason#NOT_SENT not sent}. A body larger than
 * {@code maxMessageSize} fails at once as {@link InvalidMessageException invalid}: the
 * broker would close the shared publishing channel for it, failing every other send in
 * flight as "may have been stored".
 * <p>
 * Immutable and valid: start from {@link #DEFAULTS} and change what differs with the
 * {@code with...} methods, or use {@link #builder()}; both refuse values that cannot
 * work, naming the setting ({@link InvalidRabbitConfigException}).
 */
public final class PublisherOptions {

	/** RabbitMQ's hard limit on a message body, whatever its configuration. */
	static final long LARGEST_MESSAGE_SIZE = 512L * 1024 * 1024;

	/**
	 * 10,000 sends in flight, 5 s wait for room, bodies up to 16 MiB.
	 * <ul>
	 * <li>10,000: ten times what keeps one channel's confirms pipelined at full speed
	 * (the benchmark's raw client saturates the broker with 1,000), and a few MiB of
	 * bookkeeping for small messages. With large bodies, lower it: the held bodies are
	 * the memory.</li>
	 * <li>5 s: a healthy broker confirms 10,000 sends in well under a second, so a send
	 * waits that long only when the broker stopped confirming; the caller is then told
	 * within 5 s, not held for the 30 s confirm timeout.</li>
	 * <li>16 MiB: RabbitMQ 4's default {@code max_message_size} (3.x allowed 128 MiB);
	 * raise it to what the broker allows if larger bodies are needed.</li>
	 * </ul>
	 */
	public static final PublisherOptions DEFAULTS = new PublisherOptions(10_000, Duration.ofSeconds(5),
			16L * 1024 * 1024);

	private final int maxInFlight;

	private final Duration maxBlock;

	private final long maxMessageSize;

	private PublisherOptions(int maxInFlight, Duration maxBlock, long maxMessageSize) {
		Objects.requireNonNull(maxBlock, "maxBlock");
		if (maxInFlight < 1) {
			throw new InvalidRabbitConfigException("publisher.maxInFlight", maxInFlight, "must be at least 1");
		}
		if (maxBlock.isNegative()) {
			throw new InvalidRabbitConfigException("publisher.maxBlock", maxBlock,
					"must not be negative (zero fails a send at once when there is no room)");
		}
		if (maxMessageSize < 1 || maxMessageSize > LARGEST_MESSAGE_SIZE) {
			throw new InvalidRabbitConfigException("publisher.maxMessageSize", maxMessageSize,
					"must be between 1 byte and 512 MiB (RabbitMQ's hard limit)");
		}
		this.maxInFlight = maxInFlight;
		this.maxBlock = maxBlock;
		this.maxMessageSize = maxMessageSize;
	}

	/**
	 * At most how many sends await the broker's confirm (or a channel to be written on).
	 * @return at least 1
	 */
	public int maxInFlight() {
		return this.maxInFlight;
	}

	/**
	 * At most how long a send waits for room when {@link #maxInFlight()} are in flight;
	 * zero fails it at once.
	 * @return zero or more
	 */
	public Duration maxBlock() {
		return this.maxBlock;
	}

	/**
	 * The largest body, in bytes, a send may carry: the broker's {@code max_message_size}
	 * or less.
	 * @return 1 byte to 512 MiB (RabbitMQ's hard limit)
	 */
	public long maxMessageSize() {
		return this.maxMessageSize;
	}

	/**
	 * A builder starting from {@link #DEFAULTS}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return DEFAULTS.toBuilder();
	}

	/**
	 * A builder that starts from these options.
	 * @return a new builder holding these values
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * These options with another bound on the sends in flight.
	 * @param maxInFlight at least 1
	 * @return the options
	 */
	public PublisherOptions withMaxInFlight(int maxInFlight) {
		return new PublisherOptions(maxInFlight, this.maxBlock, this.maxMessageSize);
	}

	/**
	 * These options with another wait for room.
	 * @param maxBlock zero or more; zero fails a send at once when there is no room
	 * @return the options
	 */
	public PublisherOptions withMaxBlock(Duration maxBlock) {
		return new PublisherOptions(this.maxInFlight, maxBlock, this.maxMessageSize);
	}

	/**
	 * These options with another largest body.
	 * @param maxMessageSize in bytes, at most the broker's {@code max_message_size}
	 * @return the options
	 */
	public PublisherOptions withMaxMessageSize(long maxMessageSize) {
		return new PublisherOptions(this.maxInFlight, this.maxBlock, maxMessageSize);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof PublisherOptions that && this.maxInFlight == that.maxInFlight
				&& this.maxBlock.equals(that.maxBlock) && this.maxMessageSize == that.maxMessageSize);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.maxInFlight, this.maxBlock, this.maxMessageSize);
	}

	@Override
	public String toString() {
		return "PublisherOptions[maxInFlight=" + this.maxInFlight + ", maxBlock=" + this.maxBlock + ", maxMessageSize="
				+ this.maxMessageSize + "]";
	}

	/**
	 * Builds {@link PublisherOptions}; unset values are {@link #DEFAULTS}'s.
	 */
	public static final class Builder {

		private int maxInFlight;

		private Duration maxBlock;

		private long maxMessageSize;

		private Builder(PublisherOptions options) {
			this.maxInFlight = options.maxInFlight;
			this.maxBlock = options.maxBlock;
			this.maxMessageSize = options.maxMessageSize;
		}

		/**
		 * At most how many sends await the broker's confirm; default 10,000.
		 * @param maxInFlight at least 1
		 * @return this builder
		 */
		public Builder maxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
			return this;
		}

		/**
		 * At most how long a send waits for room; default 5 s.
		 * @param maxBlock zero or more; zero fails a send at once when there is no room
		 * @return this builder
		 */
		public Builder maxBlock(Duration maxBlock) {
			this.maxBlock = Objects.requireNonNull(maxBlock, "maxBlock");
			return this;
		}

		/**
		 * The largest body a send may carry; default 16 MiB.
		 * @param maxMessageSize in bytes, at most the broker's {@code max_message_size}
		 * @return this builder
		 */
		public Builder maxMessageSize(long maxMessageSize) {
			this.maxMessageSize = maxMessageSize;
			return this;
		}

		/**
		 * Validates and builds the options.
		 * @return the options
		 * @throws InvalidRabbitConfigException naming the first setting that cannot work
		 */
		public PublisherOptions build() {
			return new PublisherOptions(this.maxInFlight, this.maxBlock, this.maxMessageSize);
		}

	}

}
