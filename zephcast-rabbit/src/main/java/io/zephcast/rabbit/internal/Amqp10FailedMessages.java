package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * {@link FailedMessages} over AMQP 1.0: a copy of a failed message goes to the wait queue
 * of its next attempt ({@link RetryQueues}), or to the dead letters once its attempts are
 * used up, through a publisher of the consumers' connection with an address per message;
 * the original is accepted only once the broker accepted the copy. When the copy is not
 * stored (released: no queue at the address; rejected), the original is held and requeued
 * after a back-off ({@link ParkingFailures}).
 * <p>
 * The client's own copies rather than the broker's dead-lettering of a {@code modified}
 * outcome: that one dead-letters only to the queue's dead-letter exchange (there is no
 * per-message wait queue), and on a quorum queue its count of failed deliveries
 * (delivery-count) is not kept on a copy.
 */
final class Amqp10FailedMessages {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private static final int MAX_EXCEPTION_MESSAGE = 1000;

	private final RabbitTopology topology;

	private final RetryPolicy policy;

	private final ParkingFailures parking;

	private final Executor executor;

	private volatile @Nullable Publisher publisher;

	Amqp10FailedMessages(RabbitTopology topology, RetryPolicy policy, ParkingFailures parking, Executor executor) {
		this.topology = topology;
		this.policy = policy;
		this.parking = parking;
		this.executor = executor;
	}

	/**
	 * Opens the publisher of the copies on the connection (its links recover with it).
	 * @param connection the consumers' connection
	 */
	synchronized void open(Connection connection) {
		if (this.publisher == null) {
			this.publisher = connection.publisherBuilder().build();
		}
	}

	synchronized void close() {
		Publisher current = this.publisher;
		this.publisher = null;
		if (current != null) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing the AMQP 1.0 publisher of retries failed", ex);
			}
		}
	}

	CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		int attempt = message.deliveryAttempt();
		if (attempt >= this.policy.maxAttempts()) {
			return deadLetter(message, cause, MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
		}
		HeldDelivery.of(message).claim("retry", message.messageId());
		Duration interval = this.policy.intervalAfter(attempt);
		RetryQueues.Destination destination = RetryQueues.Destination.waitQueue(this.topology.retryQueues(), interval);
		String what = "retry (attempt " + attempt + " of " + this.policy.maxAttempts() + ", next in "
				+ interval.toMillis() + " ms)";
		try {
			Publisher current = publisher();
			Message copy = copy(current, (Amqp10Message) message, attempt, cause, null, destination);
			if (this.policy.jitter() > 0) {
				copy.ttl(Duration.ofMillis(FailedMessages.jittered(this.policy, interval)));
			}
			return publish(current, message, copy, destination, what, DeliveryOutcome.RETRIED);
		}
		catch (RuntimeException ex) {
			return notStored(message, destination + " as " + what, ex, ex);
		}
	}

	CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause, String reason) {
		HeldDelivery.of(message).claim("dead-letter", message.messageId());
		String what = "dead letter (" + reason + ")";
		RetryQueues.Destination destination;
		try {
			destination = this.topology.retryQueues().deadLetterTarget(nonNull(message.routingKey()));
		}
		catch (RuntimeException ex) {
			return notStored(message, what, ex, ex);
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
		try {
			Publisher current = publisher();
			Message copy = copy(current, (Amqp10Message) message, message.deliveryAttempt(), cause, reason,
					destination);
			return publish(current, message, copy, destination, what, DeliveryOutcome.DEAD_LETTERED);
		}
		catch (RuntimeException ex) {
			return notStored(message, destination + " as " + what, ex, ex);
		}
	}

	private Publisher publisher() {
		Publisher current = this.publisher;
		if (current == null) {
			throw new IllegalStateException("The consumers' connection is closed");
		}
		return current;
	}

	private CompletableFuture<Void> publish(Publisher current, RabbitMessage message, Message copy,
			RetryQueues.Destination destination, String what, DeliveryOutcome stored) {
		CompletableFuture<Publisher.Status> outcome = new CompletableFuture<>();
		current.publish(copy, (context) -> {
			if (context.status() == Publisher.Status.ACCEPTED) {
				outcome.complete(context.status());
			}
			else {
				Throwable failure = context.failureCause();
				outcome.completeExceptionally(new IllegalStateException("the broker answered " + context.status()
						+ ((failure != null) ? " (" + failure.getMessage() + ")" : "")
						+ ((context.status() == Publisher.Status.RELEASED) ? "; is " + destination + " missing?" : ""),
						failure));
			}
		});
		// settled off the client's threads: a disposition from its I/O thread could wait
		// on that same thread
		return outcome.handleAsync((accepted, failure) -> {
			if (failure == null) {
				this.parking.parked();
				if (logger.isDebugEnabled()) {
					logger.debug("Message " + message.messageId() + " sent to " + destination + " as " + what);
				}
				return settle(message, stored);
			}
			return notStored(message, destination + " as " + what, failure, null);
		}, this.executor).thenCompose((settled) -> settled);
	}

	private CompletableFuture<Void> notStored(RabbitMessage message, String what, Throwable failure,
			@Nullable RuntimeException escaped) {
		try {
			return this.parking.hold(message, what, failure, null, escaped);
		}
		catch (RuntimeException ex) {
			// the last resort: back to the queue at once rather than never settled
			CompletableFuture<Void> settled = settle(message, DeliveryOutcome.REQUEUED);
			return settled.thenCompose((ignored) -> CompletableFuture.failedFuture(ex));
		}
	}

	private static CompletableFuture<Void> settle(RabbitMessage message, DeliveryOutcome outcome) {
		try {
			HeldDelivery.of(message).finish(outcome, message.messageId());
			return CompletableFuture.completedFuture(null);
		}
		catch (RuntimeException ex) {
			// AckFailedException: the link is gone, and the broker has requeued it
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * A copy of the message with its body, properties and application properties, plus
	 * the original's exchange and routing key, the attempts and the reason.
	 */
	private static Message copy(Publisher publisher, Amqp10Message message, int attempts, @Nullable Throwable cause,
			@Nullable String deadLetterReason, RetryQueues.Destination destination) {
		Message original = message.delivered();
		Message copy = publisher.message(message.body()).durable(original.durable());
		if (original.messageId() != null) {
			copy.messageId(original.messageId());
		}
		if (original.correlationId() != null) {
			copy.correlationId(original.correlationId());
		}
		if (original.contentType() != null) {
			copy.contentType(original.contentType());
		}
		if (original.contentEncoding() != null) {
			copy.contentEncoding(original.contentEncoding());
		}
		if (original.creationTime() != 0) {
			copy.creationTime(original.creationTime());
		}
		if (original.subject() != null) {
			copy.subject(original.subject());
		}
		if (original.replyTo() != null) {
			copy.replyTo(original.replyTo());
		}
		Map<String, Object> headers = new LinkedHashMap<>(message.headers());
		headers.put(MessageHeaders.ORIGINAL_EXCHANGE, nonNull(message.exchange()));
		headers.put(MessageHeaders.ORIGINAL_ROUTING_KEY, nonNull(message.routingKey()));
		headers.putIfAbsent(MessageHeaders.FIRST_FAILURE, Instant.now().toString());
		headers.put(Amqp10Message.RETRY_COUNT, (long) attempts);
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
		headers.forEach((name, value) -> property(copy, name, value));
		Message.MessageAddressBuilder address = copy.toAddress();
		if (destination.exchange().isEmpty()) {
			// the default exchange has no AMQP 1.0 address: the queue is the target
			address.queue(destination.routingKey());
		}
		else {
			address.exchange(destination.exchange()).key(destination.routingKey());
		}
		return address.message();
	}

	/** Sets an application property with the AMQP type of its Java value. */
	private static void property(Message message, String name, Object value) {
		if (value instanceof String text) {
			message.property(name, text);
		}
		else if (value instanceof Long number) {
			message.property(name, number.longValue());
		}
		else if (value instanceof Integer number) {
			message.property(name, number.intValue());
		}
		else if (value instanceof Short number) {
			message.property(name, number.shortValue());
		}
		else if (value instanceof Byte number) {
			message.property(name, number.byteValue());
		}
		else if (value instanceof Boolean flag) {
			message.property(name, flag.booleanValue());
		}
		else if (value instanceof Double number) {
			message.property(name, number.doubleValue());
		}
		else if (value instanceof Float number) {
			message.property(name, number.floatValue());
		}
		else if (value instanceof Character character) {
			message.property(name, character.charValue());
		}
		else if (value instanceof UUID uuid) {
			message.property(name, uuid);
		}
		else if (value instanceof byte[] bytes) {
			message.property(name, bytes);
		}
		else if (value instanceof java.util.Date date) {
			message.propertyTimestamp(name, date.getTime());
		}
		else {
			message.property(name, String.valueOf(value));
		}
	}

	private static String nonNull(@Nullable String value) {
		return (value != null) ? value : "";
	}

}
