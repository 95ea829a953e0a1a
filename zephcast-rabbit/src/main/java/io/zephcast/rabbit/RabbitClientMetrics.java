package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link RabbitClient} tells a metrics system: every send once it is settled,
 * every delivery once it is settled, every handler call. The client calls it on its own
 * threads (the caller's, the callback pool's, the consumers'), so an implementation must
 * be thread-safe and quick. Gauges read {@link RabbitClient#status()} instead.
 * <p>
 * This interface keeps the client free of any metrics library: the Spring Boot starter
 * implements it with Micrometer. {@link #NONE}, the default, records nothing and costs
 * nothing: with it (and no observation registry) the client takes no time stamps.
 */
public interface RabbitClientMetrics {

	/** Records nothing. */
	RabbitClientMetrics NONE = new RabbitClientMetrics() {
	};

	/**
	 * A send was settled: confirmed by the broker, or failed.
	 * @param nanos from the call to {@code send} until the broker's answer (or the
	 * failure)
	 * @param failure why it failed, or {@code null} if the broker confirmed it
	 */
	default void sent(long nanos, SendFailedException.@Nullable Reason failure) {
	}

	/**
	 * A delivered message was settled.
	 * @param outcome how
	 */
	default void settled(DeliveryOutcome outcome) {
	}

	/**
	 * A handler ({@link RabbitClient#subscribe}) returned or threw.
	 * @param nanos how long it ran
	 * @param failure what it threw, or {@code null}
	 */
	default void handled(long nanos, @Nullable Throwable failure) {
	}

	/**
	 * A message could not be parked: the broker did not store its retry or dead-letter
	 * copy, so it goes back to its queue after a back-off.
	 * @param reason why: a {@link SendFailedException.Reason#tag()} (e.g.
	 * {@code unroutable}, {@code nacked}, {@code blocked}), or {@code error} when the
	 * copy could not be sent at all
	 */
	default void parkingFailed(String reason) {
	}

	/**
	 * The broker closed a consumer's channel because a message stayed unacked longer than
	 * the queue's consumer timeout; it redelivers the message. Called once per closed
	 * channel, from the listener container's monitor thread.
	 */
	default void consumerTimedOut() {
	}

}
