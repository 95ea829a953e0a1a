package io.zephcast.rabbit.internal;

import java.nio.charset.Charset;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.PublisherCallbackChannel;

/**
 * The {@link RabbitMessage} a client hands out: the delivered body and properties, and
 * the {@link Settlement} that settles it on its channel.
 */
final class ReceivedMessage implements RabbitMessage, HeldDelivery.Source {

	private final byte[] body;

	private final MessageProperties properties;

	private final PayloadCodec codec;

	private final Settlement delivery;

	ReceivedMessage(byte[] body, MessageProperties properties, PayloadCodec codec, Settlement delivery) {
		this.body = body;
		this.properties = properties;
		this.codec = codec;
		this.delivery = delivery;
	}

	@Override
	public byte[] body() {
		return this.body;
	}

	@Override
	public String text() {
		return new String(this.body, charset());
	}

	@Override
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

	@Override
	public @Nullable String messageId() {
		return this.properties.getMessageId();
	}

	@Override
	public @Nullable String correlationId() {
		return this.properties.getCorrelationId();
	}

	@Override
	public @Nullable Instant timestamp() {
		return (this.properties.getTimestamp() != null) ? this.properties.getTimestamp().toInstant() : null;
	}

	@Override
	public Map<String, Object> headers() {
		Map<String, Object> headers = new LinkedHashMap<>(this.properties.getHeaders());
		headers.remove(PublisherCallbackChannel.RETURNED_MESSAGE_CORRELATION_KEY);
		headers.remove(PublisherCallbackChannel.RETURN_LISTENER_CORRELATION_KEY);
		headers.remove(PublishLane.TAG_HEADER);
		return Collections.unmodifiableMap(headers);
	}

	@Override
	public @Nullable Object header(String name) {
		return this.properties.getHeaders().get(name);
	}

	@Override
	public long deliveryTag() {
		return this.delivery.deliveryTag();
	}

	@Override
	public boolean redelivered() {
		Boolean redelivered = this.properties.getRedelivered();
		return redelivered != null && redelivered;
	}

	@Override
	public @Nullable String exchange() {
		Object original = header(MessageHeaders.ORIGINAL_EXCHANGE);
		return (original != null) ? original.toString() : this.properties.getReceivedExchange();
	}

	@Override
	public @Nullable String routingKey() {
		Object original = header(MessageHeaders.ORIGINAL_ROUTING_KEY);
		return (original != null) ? original.toString() : this.properties.getReceivedRoutingKey();
	}

	@Override
	public @Nullable String contentType() {
		return this.properties.getContentType();
	}

	@Override
	public @Nullable String queue() {
		return this.properties.getConsumerQueue();
	}

	@Override
	public @Nullable String consumerTag() {
		return this.properties.getConsumerTag();
	}

	@Override
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

	@Override
	public boolean isSettled() {
		return this.delivery.isSettled();
	}

	@Override
	public HeldDelivery heldDelivery() {
		return this.delivery;
	}

	/**
	 * The delivery of a message a client handed out, which settles it.
	 * @param message a message of this package's making
	 * @return its delivery
	 */
	static Settlement settlementOf(RabbitMessage message) {
		return ((ReceivedMessage) message).delivery;
	}

	/**
	 * The properties a message was delivered with.
	 * @param message a message of this package's making
	 * @return its properties
	 */
	static MessageProperties propertiesOf(RabbitMessage message) {
		return ((ReceivedMessage) message).properties;
	}

	private Charset charset() {
		return PayloadCodec.charset(this.properties.getContentEncoding());
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
