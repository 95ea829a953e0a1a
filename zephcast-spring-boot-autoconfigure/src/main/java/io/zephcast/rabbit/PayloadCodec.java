package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.util.Date;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
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

	Message encode(Object payload, SendOptions options, boolean persistent, String messageId) {
		MessageProperties properties = new MessageProperties();
		byte[] body;
		if (payload instanceof String text) {
			body = text.getBytes(StandardCharsets.UTF_8);
			properties.setContentType(TEXT);
			properties.setContentEncoding("UTF-8");
		}
		else if (payload instanceof byte[] bytes) {
			body = bytes;
			properties.setContentType(BINARY);
		}
		else {
			try {
				body = this.jsonMapper.writeValueAsBytes(payload);
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException(
						"Cannot send a " + payload.getClass().getName() + " as JSON: " + ex.getOriginalMessage(), ex);
			}
			properties.setContentType(JSON);
			properties.setContentEncoding("UTF-8");
		}
		properties.setContentLength(body.length);
		properties.setDeliveryMode(persistent ? MessageDeliveryMode.PERSISTENT : MessageDeliveryMode.NON_PERSISTENT);
		properties.setMessageId(messageId);
		properties.setTimestamp(new Date());
		if (options.correlationId() != null) {
			properties.setCorrelationId(options.correlationId());
		}
		options.headers().forEach(properties::setHeader);
		return new Message(body, properties);
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
