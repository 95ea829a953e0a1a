package io.zephcast.rabbit.internal;

import java.math.BigDecimal;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

/**
 * Builds the AMQP 1.0 message of a send from what {@link PayloadCodec} encoded: the same
 * body, content type and encoding, correlation id and headers as over AMQP 0-9-1, the
 * headers as application properties (simple values only), addressed with RabbitMQ 4's
 * address v2: {@code /exchanges/<exchange>/<key>}, or {@code /queues/<queue>} through the
 * default exchange.
 */
final class Amqp10Messages {

	private Amqp10Messages() {
	}

	static Message message(Publisher current, PayloadCodec.Outgoing encoded, SendOptions options, String messageId,
			String exchange, String routingKey, boolean durable) {
		AMQP.BasicProperties properties = encoded.properties().build();
		Message message = current.message(encoded.body())
			.messageId(messageId)
			.durable(durable)
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

}
