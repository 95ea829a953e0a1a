package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * How often, and how far apart, a {@link RabbitClient} delivers a message whose handling
 * failed. The wait between attempt {@code n} and {@code n + 1} is
 * {@code initialInterval * multiplier^(n - 1)}, at most {@code maxInterval}, shortened by
 * a random fraction of up to {@code jitter} of itself. The message waits in a queue of
 * the broker, not in the client, so it holds no consumer thread and no prefetch slot.
 *
 * <p>
 * Immutable and valid: build one with {@link #builder()} (or start from {@link #DEFAULT}
 * or {@link #NONE}); {@link Builder#build()} refuses values that cannot work, naming the
 * setting ({@link InvalidRabbitConfigException}).
 */
public final class RetryPolicy {

	/**
	 * The Python zephcast's policy: 3 attempts, 1 s then 2 s apart (at most 10 s), no
	 * jitter.
	 */
	public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10),
			0.0);

	/** One attempt: a message whose handling fails is dead-lettered at once. */
	public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofSeconds(1), 1.0, Duration.ofSeconds(1), 0.0);

	/** RabbitMQ's largest message TTL, which bounds the wait. */
	private static final long MAX_INTERVAL_MILLIS = 0xFFFF_FFFFL;

	private final int maxAttempts;

	private final Duration initialInterval;

	private final double multiplier;

	private final Duration maxInterval;

	private final double jitter;

	private RetryPolicy(int maxAttempts, Duration initialInterval, double multiplier, Duration maxInterval,
			double jitter) {
		Objects.requireNonNull(initialInterval, "initialInterval");
		Objects.requireNonNull(maxInterval, "maxInterval");
		if (maxAttempts < 1) {
			throw new InvalidRabbitConfigException("retry.maxAttempts", maxAttempts,
					"must be at least 1 (1 dead-letters a message at its first failure)");
		}
		if (initialInterval.toMillis() < 1) {
			throw new InvalidRabbitConfigException("retry.initialInterval", initialInterval,
					"must be at least 1 ms (to requeue at once, nack instead)");
		}
		if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
			throw new InvalidRabbitConfigException("retry.multiplier", multiplier, "must be at least 1");
		}
		if (maxInterval.compareTo(initialInterval) < 0 || maxInterval.toMillis() > MAX_INTERVAL_MILLIS) {
			throw new InvalidRabbitConfigException("retry.maxInterval", maxInterval,
					"must be at least retry.initialInterval (" + initialInterval + ") and at most "
							+ MAX_INTERVAL_MILLIS + " ms");
		}
		if (!(jitter >= 0.0 && jitter <= 1.0)) {
			throw new InvalidRabbitConfigException("retry.jitter", jitter, "must be between 0 and 1");
		}
		this.maxAttempts = maxAttempts;
		this.initialInterval = initialInterval;
		this.multiplier = multiplier;
		this.maxInterval = maxInterval;
		this.jitter = jitter;
	}

	/**
	 * How many times a message is delivered in all before it is dead-lettered; 1
	 * dead-letters at the first failure.
	 * @return at least 1
	 */
	public int maxAttempts() {
		return this.maxAttempts;
	}

	/**
	 * The wait before the second attempt.
	 * @return at least 1 ms
	 */
	public Duration initialInterval() {
		return this.initialInterval;
	}

	/**
	 * By how much each wait grows.
	 * @return at least 1
	 */
	public double multiplier() {
		return this.multiplier;
	}

	/**
	 * The longest wait.
	 * @return at least {@link #initialInterval()}
	 */
	public Duration maxInterval() {
		return this.maxInterval;
	}

	/**
	 * The largest fraction randomly taken off a wait, so that a burst of failures is not
	 * retried all at once.
	 * @return 0 to 1
	 */
	public double jitter() {
		return this.jitter;
	}

	/**
	 * The wait after a failed attempt, before jitter.
	 * @param failedAttempt the attempt that failed, 1-based
	 * @return the wait before the next attempt
	 */
	public Duration intervalAfter(int failedAttempt) {
		double millis = this.initialInterval.toMillis() * Math.pow(this.multiplier, Math.max(0, failedAttempt - 1));
		return Duration.ofMillis((long) Math.min(millis, this.maxInterval.toMillis()));
	}

	/**
	 * Every distinct wait the policy uses, in order: one wait queue each.
	 * @return the waits after attempts 1 to {@code maxAttempts - 1}
	 */
	public List<Duration> intervals() {
		List<Duration> intervals = new ArrayList<>();
		for (int attempt = 1; attempt < this.maxAttempts; attempt++) {
			Duration interval = intervalAfter(attempt);
			if (!intervals.contains(interval)) {
				intervals.add(interval);
			}
		}
		return intervals;
	}

	/**
	 * A builder starting from {@link #DEFAULT}.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * A builder that starts from this policy.
	 * @return a new builder holding this policy's values
	 */
	public Builder toBuilder() {
		return new Builder().maxAttempts(this.maxAttempts)
			.initialInterval(this.initialInterval)
			.multiplier(this.multiplier)
			.maxInterval(this.maxInterval)
			.jitter(this.jitter);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof RetryPolicy that && this.maxAttempts == that.maxAttempts
				&& this.initialInterval.equals(that.initialInterval)
				&& Double.compare(this.multiplier, that.multiplier) == 0 && this.maxInterval.equals(that.maxInterval)
				&& Double.compare(this.jitter, that.jitter) == 0);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.maxAttempts, this.initialInterval, this.multiplier, this.maxInterval, this.jitter);
	}

	@Override
	public String toString() {
		return "RetryPolicy[maxAttempts=" + this.maxAttempts + ", initialInterval=" + this.initialInterval
				+ ", multiplier=" + this.multiplier + ", maxInterval=" + this.maxInterval + ", jitter=" + this.jitter
				+ "]";
	}

	/**
	 * Builds a {@link RetryPolicy}; unset values are {@link #DEFAULT}'s.
	 */
	public static final class Builder {

		private int maxAttempts = DEFAULT.maxAttempts();

		private Duration initialInterval = DEFAULT.initialInterval();

		private double multiplier = DEFAULT.multiplier();

		/** Unset: the default, or the initial interval if that is longer. */
		private @Nullable Duration maxInterval;

		private double jitter = DEFAULT.jitter();

		private Builder() {
		}

		/**
		 * How many times a message is delivered in all; default 3.
		 * @param maxAttempts at least 1; 1 dead-letters at the first failure
		 * @return this builder
		 */
		public Builder maxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
			return this;
		}

		/**
		 * The wait before the second attempt; default 1 s.
		 * @param initialInterval at least 1 ms
		 * @return this builder
		 */
		public Builder initialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
			return this;
		}

		/**
		 * By how much each wait grows; default 2.
		 * @param multiplier at least 1
		 * @return this builder
		 */
		public Builder multiplier(double multiplier) {
			this.multiplier = multiplier;
			return this;
		}

		/**
		 * The longest wait; unset, 10 s or the initial interval if that is longer.
		 * @param maxInterval at least the initial interval, or {@code null} to unset
		 * @return this builder
		 */
		public Builder maxInterval(@Nullable Duration maxInterval) {
			this.maxInterval = maxInterval;
			return this;
		}

		/**
		 * The largest fraction randomly taken off a wait; default 0.
		 * @param jitter 0 to 1
		 * @return this builder
		 */
		public Builder jitter(double jitter) {
			this.jitter = jitter;
			return this;
		}

		/**
		 * Validates and builds the policy.
		 * @return the policy
		 * @throws InvalidRabbitConfigException naming the first setting that cannot work
		 */
		public RetryPolicy build() {
			Duration max = this.maxInterval;
			if (max == null) {
				max = (this.initialInterval.compareTo(DEFAULT.maxInterval()) > 0) ? this.initialInterval
						: DEFAULT.maxInterval();
			}
			return new RetryPolicy(this.maxAttempts, this.initialInterval, this.multiplier, max, this.jitter);
		}

	}

}
