package io.zephcast.rabbit.internal;

import java.nio.charset.Charset;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import com.rabbitmq.client.amqp.Message;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RabbitMessage} an AMQP 1.0 client hands out: the delivered message (its
 * application properties are the headers) and the {@link Amqp10Settlement} that settles
 * it on its link.
 */
final class Amqp10Message implements RabbitMessage, HeldDelivery.Source {

	/** The attempts counted on the client's copies (the name 0-9-1 copies use too). */
	static final String RETRY_COUNT = "retry-count";

	/**
	 * The message annotation RabbitMQ sets to the exchange a message was published to.
	 */
	static final String EXCHANGE_ANNOTATION = "x-exchange";

	/** The message annotation RabbitMQ sets to the routing key of a message. */
	static final String ROUTING_KEY_ANNOTATION = "x-routing-key";

	private static final byte[] EMPTY = new byte[0];

	private final Message message;

	private final PayloadCodec codec;

	private final Amqp10Settlement settlement;

	private final String queue;

	private final String consumerTag;

	Amqp10Message(Message message, PayloadCodec codec, Amqp10Settlement settlement, String queue, String consumerTag) {
		this.message = message;
		this.codec = codec;
		this.settlement = settlement;
		this.queue = queue;
		this.consumerTag = consumerTag;
	}

	@Override
	public byte[] body() {
		byte[] body = this.message.body();
		return (body != null) ? body : EMPTY;
	}

	@Override
	public String text() {
		return new String(body(), charset());
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> T bodyAs(Class<T> type) {
		if (type == String.class) {
			return (T) text();
		}
		if (type == byte[].class) {
			return (T) body();
		}
		return this.codec.decode(body(), type);
	}

	@Override
	public @Nullable String messageId() {
		Object id = this.message.messageId();
		return (id != null) ? id.toString() : null;
	}

	@Override
	public @Nullable String correlationId() {
		Object id = this.message.correlationId();
		return (id != null) ? id.toString() : null;
	}

	@Override
	public @Nullable Instant timestamp() {
		// the AMQP 1.0 client answers 0 when the publisher set no creation time
		long created = this.message.creationTime();
		return (created != 0) ? Instant.ofEpochMilli(created) : null;
	}

	@Override
	public Map<String, Object> headers() {
		Map<String, Object> headers = new LinkedHashMap<>();
		this.message.forEachProperty(headers::put);
		return Collections.unmodifiableMap(headers);
	}

	@Override
	public @Nullable Object header(String name) {
		return this.message.hasProperty(name) ? this.message.property(name) : null;
	}

	@Override
	public long deliveryTag() {
		return this.settlement.deliveryTag();
	}

	@Override
	public boolean redelivered() {
		// RabbitMQ sets the header's first-acquirer to false when the message was
		// delivered before (its 0-9-1 redelivered flag)
		return !this.message.firstAcquirer();
	}

	@Override
	public @Nullable String exchange() {
		Object original = header(MessageHeaders.ORIGINAL_EXCHANGE);
		return (original != null) ? original.toString() : annotation(EXCHANGE_ANNOTATION);
	}

	@Override
	public @Nullable String routingKey() {
		Object original = header(MessageHeaders.ORIGINAL_ROUTING_KEY);
		return (original != null) ? original.toString() : annotation(ROUTING_KEY_ANNOTATION);
	}

	private @Nullable String annotation(String name) {
		Object value = this.message.hasAnnotation(name) ? this.message.annotation(name) : null;
		return (value != null) ? value.toString() : null;
	}

	@Override
	public @Nullable String contentType() {
		return this.message.contentType();
	}

	@Override
	public String queue() {
		return this.queue;
	}

	@Override
	public String consumerTag() {
		return this.consumerTag;
	}

	/**
	 * Counted on the client's own copies ({@value #RETRY_COUNT}, with
	 * {@link MessageHeaders#ORIGINAL_EXCHANGE} to tell them from a publisher's header),
	 * plus the broker's count of failed deliveries: the header's delivery-count, which a
	 * quorum queue raises on a nack ({@code modified} with delivery-failed), as it raises
	 * {@code x-delivery-count} on a 0-9-1 nack with requeue. A released message (a stop,
	 * a lost link) is not counted, nor is anything on a classic queue.
	 */
	@Override
	public int deliveryAttempt() {
		long failed = Math.max(0, this.message.deliveryCount());
		long retries = 0;
		if (header(MessageHeaders.ORIGINAL_EXCHANGE) != null) {
			retries = (header(RETRY_COUNT) instanceof Number count) ? count.longValue() : 0;
		}
		return (int) Math.min(retries + failed + 1, Integer.MAX_VALUE);
	}

	@Override
	public boolean isSettled() {
		return this.settlement.isSettled();
	}

	@Override
	public HeldDelivery heldDelivery() {
		return this.settlement;
	}

	Amqp10Settlement settlement() {
		return this.settlement;
	}

	/** The message as delivered, for the copies of retries and dead letters. */
	Message delivered() {
		return this.message;
	}

	private Charset charset() {
		return PayloadCodec.charset(this.message.contentEncoding());
	}

	/**
	 * Describes the message without its body.
	 * @return the description, as {@link ReceivedMessage}'s
	 */
	@Override
	public String toString() {
		return "RabbitMessage[id=" + messageId() + ", routingKey=" + routingKey() + ", queue=" + this.queue + ", size="
				+ body().length + " bytes, attempt=" + deliveryAttempt() + ", redelivered=" + redelivered() + "]";
	}

}
