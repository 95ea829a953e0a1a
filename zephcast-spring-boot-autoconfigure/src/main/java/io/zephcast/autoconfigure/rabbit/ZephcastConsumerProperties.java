package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How a stream consumes ({@code zephcast.rabbit.consumer.*}): the consumer group, and
 * what happens to a message whose handling fails.
 */
public class ZephcastConsumerProperties {

	/**
	 * Number of consumers, each with its own channel, that the listener container runs on
	 * the queue: this application's members of the consumer group. A handler runs on up
	 * to this many messages at once.
	 */
	private @Nullable Integer concurrency;

	/**
	 * Whether the client declares a dead-letter queue "<queue>.dlq" for the messages that
	 * used up their attempts or were rejected (unless queue.dead-letter-exchange takes
	 * them). When false and there is no dead-letter exchange, such messages are dropped.
	 */
	private @Nullable Boolean deadLetterQueue;

	/**
	 * Retries of a message whose handling failed: it waits in the broker, not in the
	 * consumer, between attempts.
	 */
	private final Retry retry = new Retry();

	/**
	 * Opt-in: acks of consecutive messages sent as one multiple ack, saving a frame and
	 * the broker's work per message. A crash or lost connection redelivers up to
	 * max-messages acked messages per consumer.
	 */
	private final AckCoalescing ackCoalescing = new AckCoalescing();

	public @Nullable Integer getConcurrency() {
		return this.concurrency;
	}

	public void setConcurrency(@Nullable Integer concurrency) {
		this.concurrency = concurrency;
	}

	public @Nullable Boolean getDeadLetterQueue() {
		return this.deadLetterQueue;
	}

	public void setDeadLetterQueue(@Nullable Boolean deadLetterQueue) {
		this.deadLetterQueue = deadLetterQueue;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public AckCoalescing getAckCoalescing() {
		return this.ackCoalescing;
	}

	/**
	 * Coalesced acks: at most max-messages (and at most half the prefetch count) acks
	 * wait, at most max-delay long; a message the application still holds is never
	 * covered by another's ack.
	 */
	public static class AckCoalescing {

		/**
		 * At most how many acked messages wait to be acked together; 1 sends every ack at
		 * once (coalescing off).
		 */
		private @Nullable Integer maxMessages;

		/**
		 * At most how long an ack waits before it is sent (1ms to 1m).
		 */
		private @Nullable Duration maxDelay;

		public @Nullable Integer getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(@Nullable Integer maxMessages) {
			this.maxMessages = maxMessages;
		}

		public @Nullable Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(@Nullable Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

	/**
	 * The retry policy: the wait after attempt n is initial-interval * multiplier^(n-1),
	 * at most max-interval.
	 */
	public static class Retry {

		/**
		 * How many times a message is delivered in all before it is dead-lettered; 1
		 * dead-letters it at its first failure.
		 */
		private @Nullable Integer maxAttempts;

		/**
		 * Wait before the second attempt.
		 */
		private @Nullable Duration initialInterval;

		/**
		 * Factor by which each wait grows (at least 1).
		 */
		private @Nullable Double multiplier;

		/**
		 * Longest wait between two attempts.
		 */
		private @Nullable Duration maxInterval;

		/**
		 * Largest fraction (0 to 1) randomly taken off each wait, so that a burst of
		 * failures is not retried all at once.
		 */
		private @Nullable Double jitter;

		public @Nullable Integer getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(@Nullable Integer maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public @Nullable Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(@Nullable Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public @Nullable Double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(@Nullable Double multiplier) {
			this.multiplier = multiplier;
		}

		public @Nullable Duration getMaxInterval() {
			return this.maxInterval;
		}

		public void setMaxInterval(@Nullable Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

		public @Nullable Double getJitter() {
			return this.jitter;
		}

		public void setJitter(@Nullable Double jitter) {
			this.jitter = jitter;
		}

	}

}
