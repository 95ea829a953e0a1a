package io.zephcast.rabbit;

/**
 * The headers the client writes on the copies of a message whose handling failed: a
 * retried copy (sent to a wait queue, by a handler that throws or by
 * {@link RabbitClient#retryLater(RabbitMessage, Throwable)}) and a dead letter (once the
 * {@link RetryPolicy#maxAttempts() attempts} are used up, or by
 * {@link RabbitClient#deadLetter(RabbitMessage, Throwable)}). Read them with
 * {@link RabbitMessage#header(String)}, for example in a handler of the dead-letter
 * queue.
 * <p>
 * The attempts so far are also counted in Spring AMQP's {@code retry-count} header
 * ({@code MessageProperties.RETRY_COUNT}); read them with
 * {@link RabbitMessage#deliveryAttempt()}. A message that is dead-lettered without a copy
 * (its queue has no dead-letter exchange and the dead-letter queue is off, or a plain
 * {@link RabbitClient#nack(RabbitMessage, boolean) nack} without requeue) carries none of
 * these headers.
 */
public final class MessageHeaders {

	/**
	 * The exchange the message was first published to (empty for the default exchange).
	 * Set by the client on every retried copy and dead letter, to the original's
	 * exchange: {@link RabbitMessage#exchange()} returns it.
	 */
	public static final String ORIGINAL_EXCHANGE = "zephcast-original-exchange";

	/**
	 * The routing key the message was first published with. Set by the client on every
	 * retried copy and dead letter, to the original's key:
	 * {@link RabbitMessage#routingKey()} returns it, so a handler sees the same key on
	 * every attempt.
	 */
	public static final String ORIGINAL_ROUTING_KEY = "zephcast-original-routing-key";

	/**
	 * When handling the message first failed, an ISO-8601 instant in UTC (e.g.
	 * {@code 2026-01-31T12:00:00.123Z}). Set by the client on the first retried copy or
	 * dead letter and kept unchanged on the later ones.
	 */
	public static final String FIRST_FAILURE = "zephcast-first-failure";

	/**
	 * The class name of the exception of the last failed attempt. Set by the client on a
	 * retried copy or dead letter when there was an exception: the one the handler threw,
	 * or the cause given to {@code retryLater} or {@code deadLetter}; a later copy
	 * without one keeps the previous value.
	 */
	public static final String EXCEPTION = "zephcast-exception";

	/**
	 * The message of that exception, cut to 1,000 characters (then ending in
	 * {@code ...}). Set with {@link #EXCEPTION}.
	 */
	public static final String EXCEPTION_MESSAGE = "zephcast-exception-message";

	/**
	 * How many times the message was delivered before it was dead-lettered, a
	 * {@code Long}. Set by the client on dead letters only.
	 */
	public static final String ATTEMPTS = "zephcast-attempts";

	/**
	 * Why the message was dead-lettered: {@link #REASON_ATTEMPTS_EXHAUSTED} or
	 * {@link #REASON_REJECTED}. Set by the client on dead letters only.
	 */
	public static final String DEAD_LETTER_REASON = "zephcast-dead-letter-reason";

	/**
	 * The {@link #DEAD_LETTER_REASON} of a message whose handling failed on each of the
	 * retry policy's attempts.
	 */
	public static final String REASON_ATTEMPTS_EXHAUSTED = "attempts-exhausted";

	/**
	 * The {@link #DEAD_LETTER_REASON} of a message the application dead-lettered at once
	 * with {@link RabbitClient#deadLetter(RabbitMessage, Throwable)} (formerly
	 * {@code reject}), whatever its attempt.
	 */
	public static final String REASON_REJECTED = "rejected";

	private MessageHeaders() {
	}

}
