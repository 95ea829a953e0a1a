package io.zephcast.rabbit;

import java.util.Locale;

/**
 * How a delivered message was settled: what a delivery counter counts and a receive
 * observation records.
 */
public enum DeliveryOutcome {

	/** Acknowledged: the broker deleted it. */
	ACKED,

	/** Nacked with requeue: it goes back to the queue and comes again, redelivered. */
	REQUEUED,

	/** Set aside to be delivered again later (a retry after a back-off). */
	RETRIED,

	/** Sent to a dead-letter queue: it will not be delivered to this queue again. */
	DEAD_LETTERED,

	/**
	 * Nacked without requeue: the broker drops it, or dead-letters it by the queue's own
	 * policy.
	 */
	REJECTED,

	/**
	 * Never settled by the application: the client was stopping or the delivering channel
	 * closed, so the broker requeues it.
	 */
	RELEASED;

	/**
	 * The outcome's name in lower case with dashes, e.g. {@code dead-lettered}: the value
	 * of a metric tag.
	 * @return the tag value
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
