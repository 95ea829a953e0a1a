package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;

import org.springframework.amqp.core.MessageProperties;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns payloads into AMQP messages and bodies back into objects: {@code String} as UTF-8
 * text, {@code byte[]} as is, anything else as JSON. Spring's converters are not used
 * because {@code SimpleMessageConverter} would Java-serialize a {@code Map}.
 */
final class PayloadCodec {

	static final String TEXT = "text/plain";

	static final String JSON = "application/json";

	static final String BINARY = MessageProperties.CONTENT_TYPE_BYTES;

	private final JsonMapper jsonMapper;

	PayloadCodec(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	/**
	 * A message ready for {@code basicPublish}: built straight into AMQP properties, as
	 * converting Spring's {@code MessageProperties} would cost every send a second pass.
	 */
	record Outgoing(AMQP.BasicProperties properties, byte[] body) {
	}

	Outgoing encode(Object payload, SendOptions options, boolean persistent, String messageId) {
		AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder();
		byte[] body;
		if (payload instanceof String text) {
			body = text.getBytes(StandardCharsets.UTF_8);
			properties.contentType(TEXT).contentEncoding("UTF-8");
		}
		else if (payload instanceof byte[] bytes) {
			body = bytes;
			properties.contentType(BINARY);
		}
		else {
			try {
				body = this.jsonMapper.writeValueAsBytes(payload);
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException(
						"Cannot send a " + payload.getClass().getName() + " as JSON: " + ex.getOriginalMessage(), ex);
			}
			properties.contentType(JSON).contentEncoding("UTF-8");
		}
		properties.deliveryMode(persistent ? 2 : 1)
			.messageId(messageId)
			.timestamp(new Date())
			.correlationId(options.correlationId());
		if (!options.headers().isEmpty()) {
			// no table at all when there are no headers: the broker then has none to look
			// through
			Map<String, Object> headers = new LinkedHashMap<>();
			options.headers().forEach((name, value) -> headers.put(name, headerValue(value)));
			properties.headers(headers);
		}
		return new Outgoing(properties.build(), body);
	}

	/**
	 * A value the AMQP table encoder writes as is, else its string form (as Spring AMQP
	 * does).
	 */
	private static Object headerValue(Object value) {
		if (value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof Date
				|| value instanceof byte[] || value instanceof Map || value instanceof List
				|| value instanceof LongString) {
			return value;
		}
		return (value instanceof Class<?> type) ? type.getName() : String.valueOf(value);
	}

	<T> T decode(byte[] body, Class<T> type) {
		try {
			return this.jsonMapper.readValue(body, type);
		}
		catch (JacksonException ex) {
			throw new IllegalStateException(
					"Message body is not JSON for a " + type.getName() + ": " + ex.getOriginalMessage(), ex);
		}
	}

}
