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

	/**
	 * Set aside to be delivered again later (a retry after a back-off): a copy is stored
	 * in a wait queue, then the original acked. What a throwing handler and
	 * {@link RabbitClient#retryLater(RabbitMessage, Throwable)} do before the last
	 * attempt.
	 */
	RETRIED,

	/**
	 * Dead-lettered by the client: a copy with {@link MessageHeaders} is stored in the
	 * queue's dead-letter exchange or dead-letter queue, then the original acked; it will
	 * not be delivered to this queue again. What
	 * {@link RabbitClient#deadLetter(RabbitMessage, Throwable)} and the last failed
	 * attempt do.
	 */
	DEAD_LETTERED,

	/**
	 * Rejected in AMQP's sense, nacked without requeue: the broker drops it, or
	 * dead-letters it by the queue's own dead-letter exchange or policy, without the
	 * client's headers. What {@link RabbitClient#nack(RabbitMessage, boolean) nack(m,
	 * false)} does, and a dead letter when the queue has neither a dead-letter exchange
	 * nor the dead-letter queue.
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
