package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Opt-in: whether a {@link RabbitClient} sends the acks of consecutive messages as one
 * {@code multiple} ack instead of one ack per message. It saves a frame, a socket write
 * and the broker's work per message; the price is that an ack reaches the broker up to
 * {@code maxDelay} (or {@code maxMessages} acks) later, so a crash or a lost connection
 * redelivers up to that many messages the application had acked, per consumer. With it
 * off (the default), {@link RabbitClient#ack(RabbitMessage)} sends the ack before it
 * returns.
 * <p>
 * Only a run of consecutive deliveries that are all settled is acked together: a message
 * still held by the application is never covered by another's ack. Acks held behind one
 * are sent one by one once {@code maxDelay} has passed. At most half the prefetch count
 * waits, so the broker keeps delivering meanwhile; a stop or close sends every held ack
 * first. Nacks, retries and dead letters are sent at once, as without coalescing.
 * <p>
 * Immutable and valid: create one with {@link #of(int, Duration)}, which refuses values
 * that cannot work, naming the setting ({@link InvalidRabbitConfigException}).
 */
public final class AckCoalescing {

	/** Every ack is sent at once: the default. */
	public static final AckCoalescing OFF = new AckCoalescing(1, Duration.ofMillis(20));

	private final int maxMessages;

	private final Duration maxDelay;

	private AckCoalescing(int maxMessages, Duration maxDelay) {
		Objects.requireNonNull(maxDelay, "maxDelay");
		if (maxMessages < 1 || maxMessages > 65535) {
			throw new InvalidRabbitConfigException("ackCoalescing.maxMessages", maxMessages,
					"must be between 1 (every ack sent at once) and 65535");
		}
		if (maxDelay.toMillis() < 1 || maxDelay.compareTo(Duration.ofMinutes(1)) > 0) {
			throw new InvalidRabbitConfigException("ackCoalescing.maxDelay", maxDelay,
					"must be between 1 ms and 1 minute: it bounds how long an acked message can still be redelivered");
		}
		this.maxMessages = maxMessages;
		this.maxDelay = maxDelay;
	}

	/**
	 * Acks coalesced up to the given count and delay.
	 * @param maxMessages at most how many acked messages wait to be acked together, 1 to
	 * 65535; 1 sends every ack at once (off), at least 2 coalesces
	 * @param maxDelay at most how long an ack waits before it is sent (it goes between
	 * three quarters of it and all of it), 1 ms to 1 minute
	 * @return the settings
	 * @throws InvalidRabbitConfigException naming the first setting that cannot work
	 */
	public static AckCoalescing of(int maxMessages, Duration maxDelay) {
		return new AckCoalescing(maxMessages, maxDelay);
	}

	/**
	 * At most how many acked messages wait to be acked together.
	 * @return 1 (every ack sent at once) to 65535
	 */
	public int maxMessages() {
		return this.maxMessages;
	}

	/**
	 * At most how long an ack waits before it is sent.
	 * @return 1 ms to 1 minute
	 */
	public Duration maxDelay() {
		return this.maxDelay;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof AckCoalescing that && this.maxMessages == that.maxMessages
				&& this.maxDelay.equals(that.maxDelay));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.maxMessages, this.maxDelay);
	}

	@Override
	public String toString() {
		return "AckCoalescing[maxMessages=" + this.maxMessages + ", maxDelay=" + this.maxDelay + "]";
	}

}
