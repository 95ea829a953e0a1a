package io.zephcast.rabbit.internal;

import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

/**
 * Builds the AMQP 1.0 message of a send from what {@link PayloadCodec} encoded: the same
 * body, content type and encoding, correlation id and headers as over AMQP 0-9-1. A
 * message for the link without a target is addressed with RabbitMQ 4's address v2:
 * {@code /exchanges/<exchange>/<key>}, or {@code /queues/<queue>} through the default
 * exchange.
 * <p>
 * The headers are the ones the codec converted as for AMQP 0-9-1 (Spring AMQP's
 * converter: a value of another type, such as a {@code UUID} or an {@code AtomicInteger},
 * is sent as its text), so that a send a 0-9-1 client accepts is accepted here too. They
 * become application properties; as those hold simple values only (AMQP 1.0, 3.2.5), a
 * list, array or map header is sent as its JSON text.
 */
final class Amqp10Messages {

	private Amqp10Messages() {
	}

	/**
	 * The message of a send, without an address: for the link attached to it.
	 */
	static Message message(Publisher current, PayloadCodec codec, PayloadCodec.Body encoded, SendOptions options,
			String messageId, boolean durable) {
		Message message = current.message(encoded.body())
			.messageId(messageId)
			.durable(durable)
			.creationTime(System.currentTimeMillis())
			.contentType(encoded.contentType());
		if (encoded.contentEncoding() != null) {
			message.contentEncoding(encoded.contentEncoding());
		}
		if (options.correlationId() != null) {
			message.correlationId(options.correlationId());
		}
		Map<String, Object> headers = encoded.headers();
		if (headers != null) {
			for (Map.Entry<String, Object> header : headers.entrySet()) {
				property(message, codec, messageId, header.getKey(), header.getValue());
			}
		}
		return message;
	}

	/**
	 * Addresses a message for the link without a target.
	 */
	static Message address(Message message, String exchange, String routingKey) {
		if (exchange.isEmpty()) {
			return message.toAddress().queue(routingKey).message();
		}
		Message.MessageAddressBuilder address = message.toAddress().exchange(exchange);
		return routingKey.isEmpty() ? address.message() : address.key(routingKey).message();
	}

	private static void property(Message message, PayloadCodec codec, String messageId, String key,
			@Nullable Object value) {
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
		else if (value instanceof byte[] bytes) {
			message.property(key, bytes);
		}
		else if (value instanceof List<?> || value instanceof Map<?, ?> || value instanceof Object[]) {
			message.property(key, codec.headerAsJson(messageId, "headers." + key, value));
		}
		else {
			// what Spring's converter lets through besides (a LongString): as text, as
			// it converts any other type
			message.property(key, value.toString());
		}
	}

}
