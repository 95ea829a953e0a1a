package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * {@link FailedMessageFlow} over AMQP 1.0: a copy goes through a publisher of the
 * consumers' connection with an address per message, and the original is accepted only
 * once the broker accepted the copy. A copy released (no queue at the address) or
 * rejected is not stored.
 * <p>
 * The client's own copies rather than the broker's dead-lettering of a {@code modified}
 * outcome: that one dead-letters only to the queue's dead-letter exchange (there is no
 * per-message wait queue), and on a quorum queue its count of failed deliveries
 * (delivery-count) is not kept on a copy.
 */
final class Amqp10FailedMessages extends FailedMessageFlow {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private volatile @Nullable Publisher publisher;

	/**
	 * Creates the flow; {@link #open(Connection)} opens its publisher.
	 * @param topology the client's topology
	 * @param policy the retry policy
	 * @param parking where messages whose copy was not stored are held
	 * @param executor where the original is settled: off the AMQP 1.0 client's threads,
	 * since a disposition from its I/O thread could wait on that same thread
	 */
	Amqp10FailedMessages(RabbitTopology topology, RetryPolicy policy, ParkingFailures parking, Executor executor) {
		super(topology, policy, parking, executor);
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

	@Override
	CompletableFuture<?> publishCopy(RabbitMessage message, CopyHeaders headers, RetryQueues.Destination destination,
			@Nullable Duration ttl) {
		Publisher current = this.publisher;
		if (current == null) {
			throw new IllegalStateException("The consumers' connection is closed");
		}
		Message copy = copy(current, (Amqp10Message) message, headers, destination);
		if (ttl != null) {
			copy.ttl(ttl);
		}
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
		return outcome;
	}

	@Override
	String describe(RetryQueues.Destination destination, String what) {
		return destination + " as " + what;
	}

	/** None known: the broker's answer names no more than the outcome. */
	@Override
	@Nullable String fix(RetryQueues.Destination destination, Throwable failure) {
		return null;
	}

	/**
	 * A copy of the message with its body, properties and application properties, plus
	 * what it says of its failures, addressed to the destination.
	 */
	private static Message copy(Publisher publisher, Amqp10Message message, CopyHeaders copyHeaders,
			RetryQueues.Destination destination) {
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
		copyHeaders.addTo(headers, message);
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

}
