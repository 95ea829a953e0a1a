package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

import com.rabbitmq.client.AMQP;
import io.zephcast.rabbit.BrokerBlockedException;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.UnroutableMessageException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;

/**
 * Where a message whose handling failed goes next: a copy to the wait queue of its next
 * attempt, or to the dead letters once its attempts are used up. The original is acked
 * only when the broker has confirmed the copy, so a crash in between leaves the original
 * in the queue (at worst both exist: at-least-once); when the copy fails, the original is
 * requeued after a back-off ({@link ParkingFailures}), never at once (it would spin) and
 * never dropped.
 * <p>
 * Attempts are counted in Spring AMQP's {@code retry-count} header
 * ({@link MessageProperties#getRetryCount()}) on the copies, plus the broker's
 * {@code x-delivery-count} on quorum queues; never from {@code x-death}, whose counting
 * changed in RabbitMQ 3.13 and 4.0.
 */
final class FailedMessages {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private static final DefaultMessagePropertiesConverter CONVERTER = new DefaultMessagePropertiesConverter();

	private static final int MAX_EXCEPTION_MESSAGE = 1000;

	private final RabbitTopology topology;

	private final RetryPolicy policy;

	private final Publisher publisher;

	private final ParkingFailures parking;

	FailedMessages(RabbitTopology topology, RabbitConfig config, Publisher publisher, ParkingFailures parking) {
		this.topology = topology;
		this.policy = config.retry();
		this.publisher = publisher;
		this.parking = parking;
	}

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
	CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		int attempt = message.deliveryAttempt();
		if (attempt >= this.policy.maxAttempts()) {
			return deadLetter(message, cause, MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
		}
		ReceivedMessage.settlementOf(message).claim("retry", message.messageId());
		Duration interval = this.policy.intervalAfter(attempt);
		RetryQueues.Destination destination = RetryQueues.Destination.waitQueue(this.topology.retryQueues(), interval);
		String what = "retry (attempt " + attempt + " of " + this.policy.maxAttempts() + ", next in "
				+ interval.toMillis() + " ms)";
		try {
			PayloadCodec.Outgoing copy = copy(message, attempt, cause, null);
			if (this.policy.jitter() > 0) {
				copy.properties().expiration(Long.toString(jittered(this.policy, interval)));
			}
			return publish(message, copy, destination, what, DeliveryOutcome.RETRIED);
		}
		catch (RuntimeException ex) {
			return notStored(message, destination, what, ex, ex);
		}
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
	CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause, String reason) {
		ReceivedMessage.settlementOf(message).claim("dead-letter", message.messageId());
		RetryQueues.Destination destination;
		try {
			destination = this.topology.retryQueues().deadLetterTarget(original(message).routingKey());
		}
		catch (RuntimeException ex) {
			return notStored(message, null, "dead letter (" + reason + ")", ex, ex);
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
		String what = "dead letter (" + reason + ")";
		try {
			PayloadCodec.Outgoing copy = copy(message, message.deliveryAttempt(), cause, reason);
			return publish(message, copy, destination, what, DeliveryOutcome.DEAD_LETTERED);
		}
		catch (RuntimeException ex) {
			return notStored(message, destination, what, ex, ex);
		}
	}

	private CompletableFuture<Void> publish(RabbitMessage message, PayloadCodec.Outgoing copy,
			RetryQueues.Destination destination, String what, DeliveryOutcome stored) {
		return this.publisher.republish(destination.exchange(), destination.routingKey(), copy)
			.handle((confirmed, failure) -> {
				if (failure == null) {
					this.parking.parked();
					if (logger.isDebugEnabled()) {
						logger.debug("Message " + message.messageId() + " sent to " + destination + " as " + what);
					}
					return settle(message, stored);
				}
				// the copy is not (or may not be) stored: the original goes back to the
				// queue after a back-off, nothing is lost and nothing spins
				return notStored(message, destination, what, unwrap(failure), null);
			})
			.thenCompose((settled) -> settled);
	}

	/**
	 * The copy was not stored: the message is held for a back-off, then requeued.
	 * @param escaped the exception that was thrown while sending the copy, if it was: the
	 * returned future fails with it
	 */
	private CompletableFuture<Void> notStored(RabbitMessage message, RetryQueues.@Nullable Destination destination,
			String what, Throwable failure, @Nullable RuntimeException escaped) {
		try {
			String described = (destination != null) ? what + " to " + destination : what;
			return this.parking.hold(message, described, failure, fix(destination, failure), escaped);
		}
		catch (RuntimeException ex) {
			// the last resort: back to the queue at once rather than never settled
			CompletableFuture<Void> settled = settle(message, DeliveryOutcome.REQUEUED);
			return settled.thenCompose((ignored) -> CompletableFuture.failedFuture(ex));
		}
	}

	/** Which setting or broker state to fix, when the failure says. */
	private @Nullable String fix(RetryQueues.@Nullable Destination destination, Throwable failure) {
		if (destination == null) {
			return null;
		}
		boolean deadLetterExchange = !destination.exchange().isEmpty();
		String text = String.valueOf(failure.getMessage());
		if (failure instanceof UnroutableMessageException || text.contains("NOT_FOUND")) {
			if (deadLetterExchange) {
				return "bind a queue to the dead-letter exchange for that routing key (and create the exchange if "
						+ "it is missing), or correct queue.deadLetterExchange and queue.deadLetterRoutingKey "
						+ "(Spring Boot: zephcast.rabbit.queue.dead-letter-exchange, "
						+ "zephcast.rabbit.queue.dead-letter-routing-key)";
			}
			return "queue '" + destination.routingKey()
					+ "' is missing: the client declares it when it starts consuming; was it deleted?";
		}
		if (failure instanceof BrokerBlockedException) {
			return "the broker's memory or disk alarm; the copies are stored again once it clears";
		}
		if (failure instanceof SendFailedException sendFailure
				&& sendFailure.reason() == SendFailedException.Reason.NACKED) {
			return "the broker refused the copy: is the target queue full (queue overflow reject-publish) or "
					+ "unavailable?";
		}
		return null;
	}

	private static Throwable unwrap(Throwable failure) {
		return (failure instanceof CompletionException && failure.getCause() != null) ? failure.getCause() : failure;
	}

	private static CompletableFuture<Void> settle(RabbitMessage message, DeliveryOutcome outcome) {
		try {
			ReceivedMessage.settlementOf(message).finish(outcome, message.messageId());
			return CompletableFuture.completedFuture(null);
		}
		catch (RuntimeException ex) {
			// AckFailedException: the channel is gone, and the broker has requeued it
			return CompletableFuture.failedFuture(ex);
		}
	}

	/** The exchange and routing key the message was first published with. */
	private static RetryQueues.Destination original(RabbitMessage message) {
		// a retried copy's exchange and routing key are its original's
		return new RetryQueues.Destination(nonNull(message.exchange()), nonNull(message.routingKey()));
	}

	private static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

	/**
	 * A copy of the message, with its body, properties and headers, minus what the broker
	 * adds on delivery and dead-lettering, plus the attempts and the reason.
	 */
	private PayloadCodec.Outgoing copy(RabbitMessage message, int attempts, @Nullable Throwable cause,
			@Nullable String deadLetterReason) {
		MessageProperties received = ReceivedMessage.propertiesOf(message);
		AMQP.BasicProperties properties = CONVERTER.fromMessageProperties(received, "UTF-8");
		Map<String, Object> headers = new HashMap<>(
				(properties.getHeaders() != null) ? properties.getHeaders() : Map.of());
		headers.keySet()
			.removeIf((name) -> name.equals("x-death") || name.startsWith("x-first-death-")
					|| name.startsWith("x-last-death-") || name.equals("x-delivery-count")
					|| name.equals(PublishLane.TAG_HEADER));
		RetryQueues.Destination original = original(message);
		headers.put(MessageHeaders.ORIGINAL_EXCHANGE, original.exchange());
		headers.put(MessageHeaders.ORIGINAL_ROUTING_KEY, original.routingKey());
		headers.putIfAbsent(MessageHeaders.FIRST_FAILURE, Instant.now().toString());
		headers.put(MessageProperties.RETRY_COUNT, (long) attempts);
		if (cause != null) {
			headers.put(MessageHeaders.EXCEPTION, cause.getClass().getName());
			String text = String.valueOf(cause.getMessage());
			headers.put(MessageHeaders.EXCEPTION_MESSAGE,
					(text.length() > MAX_EXCEPTION_MESSAGE) ? text.substring(0, MAX_EXCEPTION_MESSAGE) + "..." : text);
		}
		if (deadLetterReason != null) {
			headers.put(MessageHeaders.ATTEMPTS, (long) attempts);
			headers.put(MessageHeaders.DEAD_LETTER_REASON, deadLetterReason);
		}
		// inbound properties keep the delivery mode apart; a copy is as persistent as its
		// original
		AMQP.BasicProperties.Builder builder = properties.builder()
			.deliveryMode((received.getReceivedDeliveryMode() == MessageDeliveryMode.NON_PERSISTENT) ? 1 : 2)
			.expiration(null)
			.headers(headers);
		return new PayloadCodec.Outgoing(builder, headers, message.messageId(), message.body());
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

}
