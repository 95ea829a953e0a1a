package io.zephcast.rabbit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Per-message settings for {@link RabbitClient#send(Object, SendOptions)}. Immutable:
 * each {@code with...} method returns a new instance, e.g.
 * {@code SendOptions.routingKey("orders.created").withHeader("tenant", "a")}.
 */
public final class SendOptions {

	private static final SendOptions NONE = new SendOptions(null, Map.of(), null, null);

	private final @Nullable String routingKey;

	private final Map<String, Object> headers;

	private final @Nullable String messageId;

	private final @Nullable String correlationId;

	private SendOptions(@Nullable String routingKey, Map<String, Object> headers, @Nullable String messageId,
			@Nullable String correlationId) {
		this.routingKey = routingKey;
		this.headers = headers;
		this.messageId = messageId;
		this.correlationId = correlationId;
	}

	/**
	 * No options: the configured routing key and a generated message id.
	 * @return the empty options
	 */
	public static SendOptions none() {
		return NONE;
	}

	/**
	 * Options that route the message with the given key instead of the configured one.
	 * @param routingKey the routing key, e.g. {@code orders.created}
	 * @return the options
	 */
	public static SendOptions routingKey(String routingKey) {
		return NONE.withRoutingKey(routingKey);
	}

	/**
	 * Options that carry the given header.
	 * @param name the header name
	 * @param value the header value (String, number, boolean, ...)
	 * @return the options
	 */
	public static SendOptions header(String name, Object value) {
		return NONE.withHeader(name, value);
	}

	/**
	 * Options that give the message this id instead of a generated one.
	 * @param messageId the message id
	 * @return the options
	 */
	public static SendOptions messageId(String messageId) {
		return NONE.withMessageId(messageId);
	}

	public SendOptions withRoutingKey(String routingKey) {
		return new SendOptions(Objects.requireNonNull(routingKey, "routingKey"), this.headers, this.messageId,
				this.correlationId);
	}

	public SendOptions withHeader(String name, Object value) {
		Map<String, Object> headers = new LinkedHashMap<>(this.headers);
		headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
		return new SendOptions(this.routingKey, Collections.unmodifiableMap(headers), this.messageId,
				this.correlationId);
	}

	public SendOptions withHeaders(Map<String, ?> headers) {
		Map<String, Object> merged = new LinkedHashMap<>(this.headers);
		merged.putAll(headers);
		return new SendOptions(this.routingKey, Collections.unmodifiableMap(merged), this.messageId,
				this.correlationId);
	}

	public SendOptions withMessageId(String messageId) {
		return new SendOptions(this.routingKey, this.headers, Objects.requireNonNull(messageId, "messageId"),
				this.correlationId);
	}

	public SendOptions withCorrelationId(String correlationId) {
		return new SendOptions(this.routingKey, this.headers, this.messageId,
				Objects.requireNonNull(correlationId, "correlationId"));
	}

	/**
	 * The routing key for this message.
	 * @return the routing key, or {@code null} to use the configured one
	 */
	public @Nullable String routingKey() {
		return this.routingKey;
	}

	public Map<String, Object> headers() {
		return this.headers;
	}

	public @Nullable String messageId() {
		return this.messageId;
	}

	public @Nullable String correlationId() {
		return this.correlationId;
	}

	@Override
	public String toString() {
		return "SendOptions[routingKey=" + this.routingKey + ", headers=" + this.headers.keySet() + ", messageId="
				+ this.messageId + ", correlationId=" + this.correlationId + "]";
	}

}
