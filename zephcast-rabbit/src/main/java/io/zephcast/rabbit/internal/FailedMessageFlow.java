package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;

import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;

/**
 * Where a message whose handling failed goes next, whatever the protocol: a copy to the
 * wait queue of its next attempt ({@link RetryQueues}), or to the dead letters once its
 * attempts are used up. The original is settled only once the broker has stored the copy,
 * so a crash in between leaves the original in the queue (at worst both exist:
 * at-least-once); when the copy is not stored, the original is held and requeued after a
 * back-off ({@link ParkingFailures}), never at once (it would spin) and never dropped.
 * <p>
 * The decisions, the headers a copy carries, the logs and the settlement are the same for
 * both protocols and live here; making the copy and publishing it is the protocol's
 * ({@link FailedMessages} for AMQP 0-9-1, {@link Amqp10FailedMessages} for AMQP 1.0).
 */
abstract class FailedMessageFlow {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private static final int MAX_EXCEPTION_MESSAGE = 1000;

	private final RabbitTopology topology;

	private final RetryPolicy policy;

	private final ParkingFailures parking;

	private final Executor answers;

	/**
	 * Creates the flow.
	 * @param topology the client's topology: its queue, wait queues and dead letters
	 * @param policy the retry policy
	 * @param parking where messages whose copy was not stored are held
	 * @param answers where the broker's answer to a copy is handled and the original
	 * settled
	 */
	FailedMessageFlow(RabbitTopology topology, RetryPolicy policy, ParkingFailures parking, Executor answers) {
		this.topology = topology;
		this.policy = policy;
		this.parking = parking;
		this.answers = answers;
	}

	/**
	 * Makes the copy of a message and publishes it.
	 * @param message the original, claimed and not yet settled
	 * @param headers what the copy says of its failures, to add to the headers it keeps
	 * @param destination where the copy goes
	 * @param ttl how long the copy waits before it expires, or {@code null} to leave it
	 * to the queue
	 * @return a future completed once the broker has stored the copy, failed if it did
	 * not (or may not have)
	 * @throws RuntimeException if the copy could not even be sent
	 */
	abstract CompletableFuture<?> publishCopy(RabbitMessage message, CopyHeaders headers,
			RetryQueues.Destination destination, @Nullable Duration ttl);

	/**
	 * What a copy that was not stored was, for the log and the status.
	 * @param destination where it went
	 * @param what {@code retry (...)} or {@code dead letter (...)}
	 * @return the description
	 */
	abstract String describe(RetryQueues.Destination destination, String what);

	/**
	 * Which setting or broker state to fix, when the failure says.
	 * @param destination where the copy went
	 * @param failure why it was not stored
	 * @return what to fix, or {@code null} if not known
	 */
	abstract @Nullable String fix(RetryQueues.Destination destination, Throwable failure);

	/**
	 * Sends the message to wait for its next attempt, or to the dead letters when it has
	 * used up its attempts.
	 * @param message the message, not yet settled
	 * @param cause why its handling failed, if known
	 * @return a future completed once the message is settled; it never throws once the
	 * message is claimed, and fails (after the message went back to its queue) if the
	 * copy could not even be sent
	 * @throws IllegalStateException if the message was already settled
	 */
	final CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		int attempt = message.deliveryAttempt();
		if (attempt >= this.policy.maxAttempts()) {
			return deadLetter(message, cause, MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
		}
		HeldDelivery.of(message).claim("retry", message.messageId());
		Duration interval = this.policy.intervalAfter(attempt);
		RetryQueues.Destination destination = RetryQueues.Destination.waitQueue(this.topology.retryQueues(), interval);
		String what = "retry (attempt " + attempt + " of " + this.policy.maxAttempts() + ", next in "
				+ interval.toMillis() + " ms)";
		// without jitter the wait queue's TTL (the interval) is the wait
		Duration ttl = (this.policy.jitter() > 0) ? Duration.ofMillis(jittered(this.policy, interval)) : null;
		return publish(message, new CopyHeaders(attempt, cause, null), destination, ttl, what, DeliveryOutcome.RETRIED);
	}

	/**
	 * Sends the message to the dead letters now: the queue's dead-letter exchange, else
	 * the dead-letter queue; when there is neither, it is rejected without requeue (and
	 * dropped, unless a broker policy dead-letters it).
	 * @param message the message, not yet settled
	 * @param cause why, if known
	 * @param reason {@link MessageHeaders#REASON_ATTEMPTS_EXHAUSTED} or
	 * {@link MessageHeaders#REASON_REJECTED}
	 * @return a future completed once the message is settled; see
	 * {@link #retryLater(RabbitMessage, Throwable)}
	 * @throws IllegalStateException if the message was already settled
	 */
	final CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause, String reason) {
		HeldDelivery.of(message).claim("dead-letter", message.messageId());
		String what = "dead letter (" + reason + ")";
		RetryQueues.Destination destination;
		try {
			// a retried copy's routing key is its original's
			destination = this.topology.retryQueues().deadLetterTarget(nonNull(message.routingKey()));
		}
		catch (RuntimeException ex) {
			return notStored(message, null, what, ex, ex);
		}
		if (destination == null) {
			if (logger.isWarnEnabled()) {
				logger.warn("RabbitClient '" + this.topology.streamName() + "' drops message " + message.messageId()
						+ " (" + reason + " after " + message.deliveryAttempt() + " attempt(s)): queue '"
						+ this.topology.queueName() + "' has no dead-letter exchange and the dead-letter queue is off"
						+ ((cause != null) ? "; last failure: " + cause.getClass().getName() : ""));
			}
			return settle(message, DeliveryOutcome.REJECTED);
		}
		return publish(message, new CopyHeaders(message.deliveryAttempt(), cause, reason), destination, null, what,
				DeliveryOutcome.DEAD_LETTERED);
	}

	private CompletableFuture<Void> publish(RabbitMessage message, CopyHeaders headers,
			RetryQueues.Destination destination, @Nullable Duration ttl, String what, DeliveryOutcome stored) {
		CompletableFuture<?> copy;
		try {
			copy = publishCopy(message, headers, destination, ttl);
		}
		catch (RuntimeException ex) {
			return notStored(message, destination, what, ex, ex);
		}
		return copy.handleAsync((confirmed, failure) -> {
			if (failure == null) {
				this.parking.parked();
				if (logger.isDebugEnabled()) {
					logger.debug("Message " + message.messageId() + " sent to " + destination + " as " + what);
				}
				return settle(message, stored);
			}
			// the copy is not (or may not be) stored: the original goes back to the queue
			// after a back-off, nothing is lost and nothing spins
			return notStored(message, destination, what, unwrap(failure), null);
		}, this.answers).thenCompose((settled) -> settled);
	}

	/**
	 * The copy was not stored: the message is held for a back-off, then requeued.
	 * @param destination where the copy went, or {@code null} if that is not known
	 * @param escaped the exception that was thrown while sending the copy, if it was: the
	 * returned future fails with it
	 */
	private CompletableFuture<Void> notStored(RabbitMessage message, RetryQueues.@Nullable Destination destination,
			String what, Throwable failure, @Nullable RuntimeException escaped) {
		try {
			String described = (destination != null) ? describe(destination, what) : what;
			String fix = (destination != null) ? fix(destination, failure) : null;
			return this.parking.hold(message, described, failure, fix, escaped);
		}
		catch (RuntimeException ex) {
			// the last resort: back to the queue at once rather than never settled
			CompletableFuture<Void> settled = settle(message, DeliveryOutcome.REQUEUED);
			return settled.thenCompose((ignored) -> CompletableFuture.failedFuture(ex));
		}
	}

	private static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	private static CompletableFuture<Void> settle(RabbitMessage message, DeliveryOutcome outcome) {
		try {
			HeldDelivery.of(message).finish(outcome, message.messageId());
			return CompletableFuture.completedFuture(null);
		}
		catch (RuntimeException ex) {
			// AckFailedException: the channel or link is gone, and the broker has
			// requeued
			// the message
			return CompletableFuture.failedFuture(ex);
		}
	}

	static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

	/**
	 * A wait with the policy's jitter applied: never longer than the interval, since the
	 * wait queue's TTL is the interval.
	 * @param policy the retry policy
	 * @param interval the interval
	 * @return the wait in milliseconds
	 */
	static long jittered(RetryPolicy policy, Duration interval) {
		long millis = interval.toMillis();
		if (policy.jitter() == 0.0) {
			return millis;
		}
		return Math.max(1, millis - (long) (millis * policy.jitter() * ThreadLocalRandom.current().nextDouble()));
	}

	/**
	 * What a copy says of its failures, on top of the headers it keeps of its original.
	 *
	 * @param attempts the attempts so far
	 * @param cause the last failure, if known
	 * @param deadLetterReason why it is dead-lettered, or {@code null} for a retry
	 */
	record CopyHeaders(int attempts, @Nullable Throwable cause, @Nullable String deadLetterReason) {

		/**
		 * Adds these headers: the original's exchange and routing key, the first
		 * failure's time (kept from an earlier copy), the attempts and the last failure,
		 * and for a dead letter the reason.
		 * @param headers the headers the copy keeps of its original
		 * @param original the original message
		 */
		void addTo(Map<String, Object> headers, RabbitMessage original) {
			// a retried copy's exchange and routing key are its original's
			headers.put(MessageHeaders.ORIGINAL_EXCHANGE, nonNull(original.exchange()));
			headers.put(MessageHeaders.ORIGINAL_ROUTING_KEY, nonNull(original.routingKey()));
			headers.putIfAbsent(MessageHeaders.FIRST_FAILURE, Instant.now().toString());
			// Spring AMQP's retry-count header, which both protocols count attempts by
			headers.put(MessageProperties.RETRY_COUNT, (long) this.attempts);
			if (this.cause != null) {
				headers.put(MessageHeaders.EXCEPTION, this.cause.getClass().getName());
				String text = String.valueOf(this.cause.getMessage());
				headers.put(MessageHeaders.EXCEPTION_MESSAGE, (text.length() > MAX_EXCEPTION_MESSAGE)
						? text.substring(0, MAX_EXCEPTION_MESSAGE) + "..." : text);
			}
			if (this.deadLetterReason != null) {
				headers.put(MessageHeaders.ATTEMPTS, (long) this.attempts);
				headers.put(MessageHeaders.DEAD_LETTER_REASON, this.deadLetterReason);
			}
		}

	}

}
