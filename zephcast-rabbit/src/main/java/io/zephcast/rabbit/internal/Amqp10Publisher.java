package io.zephcast.rabbit.internal;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.rabbit.UnroutableMessageException;
import org.jspecify.annotations.Nullable;

/**
 * The sending half of an AMQP 1.0 client: one publisher link without a target (each
 * message carries its address: {@code /exchanges/<exchange>/<key>}, or
 * {@code /queues/<queue>} through the default exchange), whose sends complete with the
 * broker's settlement: {@code accepted} completes the future, {@code released} (RabbitMQ
 * 4 releases what no queue takes) fails it with {@link UnroutableMessageException},
 * {@code rejected} (a full queue that rejects publishes, an invalid message) with
 * {@link SendFailedException} ({@link Reason#NACKED}). A settlement that does not come
 * within the confirm timeout fails the send as {@link Reason#TIMEOUT}. Futures complete
 * on the callback executor, never on the AMQP client's threads. At most
 * {@code publisher.maxInFlight} sends await their settlement; a send waits up to
 * {@code publisher.maxBlock} for room.
 * <p>
 * The message is durable unless {@code durable=false}, has a message id (the
 * application's or a generated one), creation time, content type and encoding, the
 * correlation id, and the send's headers as application properties (simple values only:
 * AMQP 1.0 application properties hold no lists nor maps).
 */
final class Amqp10Publisher {

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final PayloadCodec codec;

	private final ClientInstrumentation instrumentation;

	private final Executor callbacks;

	private final Semaphore room;

	private final InFlight unsettled = new InFlight();

	private final String idPrefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";

	private final AtomicLong sequence = new AtomicLong();

	private volatile @Nullable Publisher publisher;

	Amqp10Publisher(RabbitConfig config, RabbitTopology topology, PayloadCodec codec,
			ClientInstrumentation instrumentation, Executor callbacks) {
		this.config = config;
		this.topology = topology;
		this.codec = codec;
		this.instrumentation = instrumentation;
		this.callbacks = callbacks;
		this.room = new Semaphore(config.publisher().maxInFlight());
	}

	/** Opens the publisher link on the connection. */
	synchronized void open(Connection connection) {
		if (this.publisher == null) {
			this.publisher = connection.publisherBuilder().publishTimeout(this.config.publisher().maxBlock()).build();
		}
	}

	/** Sends an application's message, instrumented like over AMQP 0-9-1. */
	CompletableFuture<Void> send(Object payload, SendOptions options) {
		if (this.instrumentation.isOff()) {
			return encodeAndPublish(payload, options);
		}
		return this.instrumentation.send(this.topology.exchangeName(), routingKey(options), options,
				(sent) -> encodeAndPublish(payload, sent));
	}

	private String routingKey(SendOptions options) {
		return (options.routingKey() != null) ? options.routingKey() : this.topology.defaultRoutingKey();
	}

	private CompletableFuture<Void> encodeAndPublish(Object payload, SendOptions options) {
		String exchange = this.topology.exchangeName();
		String routingKey = routingKey(options);
		String messageId = (options.messageId() != null) ? options.messageId()
				: this.idPrefix + Long.toString(this.sequence.incrementAndGet(), 36);
		Publisher current = this.publisher;
		if (current == null) {
			return CompletableFuture.failedFuture(
					new SendFailedException("Message " + messageId + " was not sent: the client is not connected",
							messageId, Reason.NOT_SENT, null));
		}
		Message message;
		try {
			PayloadCodec.Outgoing encoded = this.codec.encode(payload, routingKey, options, this.config.durable());
			if (encoded.body().length > this.config.publisher().maxMessageSize()) {
				throw new InvalidMessageException(messageId, "payload",
						"is " + encoded.body().length
								+ " bytes, more than the largest message the broker takes (publisher.maxMessageSize: "
								+ this.config.publisher().maxMessageSize() + " bytes)",
						null);
			}
			message = message(current, encoded, options, messageId, exchange, routingKey);
		}
		catch (InvalidMessageException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(
					new InvalidMessageException(messageId, "payload", "cannot be encoded: " + ex.getMessage(), ex));
		}
		if (!takeRoom()) {
			return CompletableFuture.failedFuture(new SendFailedException("Message " + messageId + " to "
					+ where(exchange, routingKey) + " was not sent: " + this.config.publisher().maxInFlight()
					+ " sends await the broker's settlement (publisher.maxInFlight) and none was settled within "
					+ this.config.publisher().maxBlock() + " (publisher.maxBlock)", messageId, Reason.NOT_SENT, null));
		}
		CompletableFuture<Void> result = new CompletableFuture<>();
		AtomicBoolean settled = new AtomicBoolean();
		this.unsettled.increment();
		try {
			current.publish(message, (context) -> {
				if (settled.compareAndSet(false, true)) {
					SendFailedException failure = failure(context.status(), context.failureCause(), messageId, exchange,
							routingKey);
					complete(result, failure);
				}
			});
		}
		catch (RuntimeException ex) {
			if (settled.compareAndSet(false, true)) {
				complete(result,
						new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
								+ " was not sent: " + Amqp10Connection.rootMessage(ex), messageId, Reason.NOT_SENT,
								ex));
			}
			return result;
		}
		// the JDK's delayer only schedules: the task runs on the callback executor
		CompletableFuture.delayedExecutor(this.config.confirmTimeout().toNanos(), TimeUnit.NANOSECONDS, this.callbacks)
			.execute(() -> {
				if (settled.compareAndSet(false, true)) {
					settle(result,
							new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
									+ " was sent but the broker did not settle it within "
									+ this.config.confirmTimeout() + " (confirmTimeout): it may have been stored",
									messageId, Reason.TIMEOUT, null));
				}
			});
		return result;
	}

	private @Nullable SendFailedException failure(Publisher.Status status, @Nullable Throwable cause, String messageId,
			String exchange, String routingKey) {
		if (cause != null) {
			return new SendFailedException(
					"Message " + messageId + " to " + where(exchange, routingKey)
							+ " was sent but the link or connection failed before the broker settled it ("
							+ Amqp10Connection.rootMessage(cause) + "): it may have been stored",
					messageId, Reason.CONNECTION_LOST, cause);
		}
		return switch (status) {
			case ACCEPTED -> null;
			case RELEASED -> new UnroutableMessageException(messageId, exchange, routingKey, 312,
					"NO_ROUTE: the broker released the message");
			case REJECTED -> new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
					+ " was rejected by the broker: it took no responsibility for it (a full queue that rejects "
					+ "publishes, or a message the broker refuses)", messageId, Reason.NACKED, null);
		};
	}

	private static String where(String exchange, String routingKey) {
		return exchange.isEmpty() ? "queue '" + routingKey + "'"
				: "exchange '" + exchange + "' with routing key '" + routingKey + "'";
	}

	private boolean takeRoom() {
		if (this.room.tryAcquire()) {
			return true;
		}
		try {
			return this.room.tryAcquire(this.config.publisher().maxBlock().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Completes on the callback executor: the settlement arrives on the client's thread.
	 */
	private void complete(CompletableFuture<Void> result, @Nullable SendFailedException failure) {
		try {
			this.callbacks.execute(() -> settle(result, failure));
		}
		catch (RuntimeException ex) {
			// the callback pool is gone (closing): complete here rather than never
			settle(result, failure);
		}
	}

	private void settle(CompletableFuture<Void> result, @Nullable SendFailedException failure) {
		this.room.release();
		this.unsettled.decrement();
		if (failure == null) {
			result.complete(null);
		}
		else {
			result.completeExceptionally(failure);
		}
	}

	private Message message(Publisher current, PayloadCodec.Outgoing encoded, SendOptions options, String messageId,
			String exchange, String routingKey) {
		AMQP.BasicProperties properties = encoded.properties().build();
		Message message = current.message(encoded.body())
			.messageId(messageId)
			.durable(this.config.durable())
			.creationTime(System.currentTimeMillis());
		if (properties.getContentType() != null) {
			message.contentType(properties.getContentType());
		}
		if (properties.getContentEncoding() != null) {
			message.contentEncoding(properties.getContentEncoding());
		}
		if (options.correlationId() != null) {
			message.correlationId(options.correlationId());
		}
		for (Map.Entry<String, Object> header : options.headers().entrySet()) {
			property(message, messageId, header.getKey(), header.getValue());
		}
		if (exchange.isEmpty()) {
			return message.toAddress().queue(routingKey).message();
		}
		Message.MessageAddressBuilder address = message.toAddress().exchange(exchange);
		return routingKey.isEmpty() ? address.message() : address.key(routingKey).message();
	}

	private static void property(Message message, String messageId, String key, @Nullable Object value) {
		if (value == null) {
			// AMQP 1.0 has a null, the client no setter for it: an absent property reads
			// the same
			return;
		}
		if (value instanceof String text) {
			message.property(key, text);
		}
		else if (value instanceof Boolean flag) {
			message.property(key, flag);
		}
		else if (value instanceof Byte number) {
			message.property(key, number);
		}
		else if (value instanceof Short number) {
			message.property(key, number);
		}
		else if (value instanceof Integer number) {
			message.property(key, number);
		}
		else if (value instanceof Long number) {
			message.property(key, number);
		}
		else if (value instanceof Float number) {
			message.property(key, number);
		}
		else if (value instanceof Double number) {
			message.property(key, number);
		}
		else if (value instanceof BigDecimal number) {
			message.propertyDecimal64(key, number);
		}
		else if (value instanceof Date date) {
			message.propertyTimestamp(key, date.getTime());
		}
		else if (value instanceof UUID uuid) {
			message.property(key, uuid);
		}
		else if (value instanceof byte[] bytes) {
			message.property(key, bytes);
		}
		else if (value instanceof Character character) {
			message.property(key, character);
		}
		else if (value instanceof Enum<?> || value instanceof CharSequence || value instanceof Class<?>) {
			message.property(key, (value instanceof Class<?> type) ? type.getName() : value.toString());
		}
		else {
			throw new InvalidMessageException(messageId, "headers." + key,
					"is a " + value.getClass().getName() + "; over AMQP 1.0 a header (an application property) "
							+ "holds a simple value only: a string, number, boolean, timestamp, UUID or bytes",
					null);
		}
	}

	int unsettled() {
		return this.unsettled.get();
	}

	boolean awaitSettlements(long deadline) {
		return this.unsettled.awaitZero(deadline);
	}

	/** Closes the link; sends not yet settled fail through the client's callbacks. */
	synchronized void close() {
		Publisher current = this.publisher;
		this.publisher = null;
		if (current != null) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				// the connection closes it anyway
			}
		}
	}

}
