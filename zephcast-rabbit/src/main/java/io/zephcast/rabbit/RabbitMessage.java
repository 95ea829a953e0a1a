package io.zephcast.rabbit;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.PublisherCallbackChannel;

/**
 * A message delivered by a {@link RabbitClient}. It stays unacknowledged until
 * {@link RabbitClient#ack(RabbitMessage)} or {@link RabbitClient#nack(RabbitMessage)};
 * until then the broker will deliver it again if this client goes away.
 * {@link #toString()} describes the message without its body (which may hold personal or
 * secret data), so logging a message never logs its payload: use {@link #text()} for the
 * body as text.
 */
public final class RabbitMessage {

	private final byte[] body;

	private final MessageProperties properties;

	private final PayloadCodec codec;

	private final Delivery delivery;

	RabbitMessage(byte[] body, MessageProperties properties, PayloadCodec codec, Delivery delivery) {
		this.body = body;
		this.properties = properties;
		this.codec = codec;
		this.delivery = delivery;
	}

	/**
	 * The raw body. The array is the message's own: do not modify it.
	 * @return the body bytes
	 */
	public byte[] body() {
		return this.body;
	}

	/**
	 * The body decoded as text, in the message's content encoding (UTF-8 if none).
	 * @return the body as a string
	 */
	public String text() {
		return new String(this.body, charset());
	}

	/**
	 * The body mapped from JSON to the given type; a {@code String} type returns
	 * {@link #text()} and {@code byte[]} the body.
	 * @param <T> the target type
	 * @param type the target type, e.g. a record
	 * @return the mapped body
	 * @throws IllegalStateException if the body is not JSON for that type
	 */
	@SuppressWarnings("unchecked")
	public <T> T bodyAs(Class<T> type) {
		if (type == String.class) {
			return (T) text();
		}
		if (type == byte[].class) {
			return (T) this.body;
		}
		return this.codec.decode(this.body, type);
	}

	public @Nullable String messageId() {
		return this.properties.getMessageId();
	}

	public @Nullable String correlationId() {
		return this.properties.getCorrelationId();
	}

	/**
	 * When the message was sent, as set by the publisher.
	 * @return the timestamp, or {@code null} if the publisher set none
	 */
	public @Nullable Instant timestamp() {
		return (this.properties.getTimestamp() != null) ? this.properties.getTimestamp().toInstant() : null;
	}

	/**
	 * The application headers, without the ones Spring AMQP adds for its own bookkeeping.
	 * @return the headers, unmodifiable
	 */
	public Map<String, Object> headers() {
		Map<String, Object> headers = new LinkedHashMap<>(this.properties.getHeaders());
		headers.remove(PublisherCallbackChannel.RETURNED_MESSAGE_CORRELATION_KEY);
		headers.remove(PublisherCallbackChannel.RETURN_LISTENER_CORRELATION_KEY);
		headers.remove(PublishingChannel.TAG_HEADER);
		return Collections.unmodifiableMap(headers);
	}

	public @Nullable Object header(String name) {
		return this.properties.getHeaders().get(name);
	}

	/**
	 * The delivery tag, unique on the channel that delivered the message.
	 * @return the delivery tag
	 */
	public long deliveryTag() {
		return this.delivery.deliveryTag();
	}

	/**
	 * Whether the broker delivered this message before (to this or another consumer) and
	 * it was not acked: the application may already have processed it.
	 * @return the redelivered flag
	 */
	public boolean redelivered() {
		Boolean redelivered = this.properties.getRedelivered();
		return redelivered != null && redelivered;
	}

	/**
	 * The exchange the message was published to; on a retried copy or a dead letter, the
	 * one the original was published to (it came back through a wait queue).
	 * @return the exchange, empty for the default exchange
	 */
	public @Nullable String exchange() {
		Object original = header(MessageHeaders.ORIGINAL_EXCHANGE);
		return (original != null) ? original.toString() : this.properties.getReceivedExchange();
	}

	/**
	 * The routing key the message was published with; on a retried copy or a dead letter,
	 * the original's, so that a handler that routes by key sees the same key on every
	 * attempt.
	 * @return the routing key
	 */
	public @Nullable String routingKey() {
		Object original = header(MessageHeaders.ORIGINAL_ROUTING_KEY);
		return (original != null) ? original.toString() : this.properties.getReceivedRoutingKey();
	}

	public @Nullable String contentType() {
		return this.properties.getContentType();
	}

	/**
	 * The queue the message was consumed from.
	 * @return the queue name
	 */
	public @Nullable String queue() {
		return this.properties.getConsumerQueue();
	}

	/**
	 * The tag of the consumer that received the message: with concurrency N, it tells
	 * which of the N consumers of the group got it.
	 * @return the consumer tag
	 */
	public @Nullable String consumerTag() {
		return this.properties.getConsumerTag();
	}

	/**
	 * Which delivery of the message this is, 1-based: 1 the first time, {@code n} when
	 * handling it failed {@code n - 1} times before. Counted by the client on the copies
	 * it retries (Spring AMQP's {@code retry-count} header), plus, on quorum queues, the
	 * broker's {@code x-delivery-count} of requeued deliveries. A classic queue's
	 * requeues (a nack, a lost connection) are not counted: RabbitMQ only flags them
	 * {@link #redelivered()}. Never counted from {@code x-death}, which a publisher can
	 * set and whose counting changed in RabbitMQ 3.13 and 4.0.
	 * @return the delivery attempt, at least 1
	 */
	public int deliveryAttempt() {
		// Spring AMQP fills the retry count from x-death's count when a message has no
		// retry-count header: only the client's own copies (which always have both) are
		// counted from it
		long retries = this.properties.getHeaders().containsKey(MessageHeaders.ORIGINAL_EXCHANGE)
				? this.properties.getRetryCount() : 0;
		long attempts = retries + 1;
		if (this.properties.getHeaders().get("x-delivery-count") instanceof Number count) {
			attempts += count.longValue();
		}
		return (int) Math.min(attempts, Integer.MAX_VALUE);
	}

	/**
	 * Whether this message has been acked or nacked.
	 * @return whether it is settled
	 */
	public boolean isSettled() {
		return this.delivery.isSettled();
	}

	Delivery delivery() {
		return this.delivery;
	}

	MessageProperties properties() {
		return this.properties;
	}

	private Charset charset() {
		String encoding = this.properties.getContentEncoding();
		if (encoding != null) {
			try {
				return Charset.forName(encoding);
			}
			catch (IllegalArgumentException ex) {
				// an unknown encoding falls back to UTF-8 rather than making the body
				// unreadable
			}
		}
		return StandardCharsets.UTF_8;
	}

	/**
	 * Describes the message without its body: its id, routing key, queue, body size,
	 * delivery attempt and redelivered flag.
	 * @return the description, e.g.
	 * {@code RabbitMessage[id=42, routingKey=orders.created, queue=orders, size=120 bytes, attempt=1, redelivered=false]}
	 */
	@Override
	public String toString() {
		return "RabbitMessage[id=" + messageId() + ", routingKey=" + routingKey() + ", queue=" + queue() + ", size="
				+ this.body.length + " bytes, attempt=" + deliveryAttempt() + ", redelivered=" + redelivered() + "]";
	}

}
