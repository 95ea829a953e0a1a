package io.zephcast.rabbit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;

/**
 * Turns payloads into AMQP messages and bodies back into objects: {@code String} as UTF-8
 * text, {@code byte[]} as is, anything else as JSON. Spring's message converters are not
 * used because {@code SimpleMessageConverter} would Java-serialize a {@code Map}; header
 * values are converted by Spring AMQP's own {@link DefaultMessagePropertiesConverter}.
 */
final class PayloadCodec {

	static final String TEXT = "text/plain";

	static final String JSON = "application/json";

	static final String BINARY = MessageProperties.CONTENT_TYPE_BYTES;

	private static final DefaultMessagePropertiesConverter HEADER_CONVERTER = new DefaultMessagePropertiesConverter();

	private final JsonMapper jsonMapper;

	PayloadCodec(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	/**
	 * A message ready for {@code basicPublish} but for its message id, which the
	 * publishing channel sets (a generated id carries the publish sequence, so that a
	 * returned message finds its send). Built straight into AMQP properties, as
	 * converting Spring's {@code MessageProperties} would cost every send a second pass.
	 *
	 * @param properties the properties, without message id
	 * @param headers the converted headers, or {@code null} for none
	 * @param userMessageId the id the application gave, or {@code null} to generate one
	 * @param body the body
	 */
	record Outgoing(AMQP.BasicProperties.Builder properties, @Nullable Map<String, Object> headers,
			@Nullable String userMessageId, byte[] body) {
	}

	/**
	 * A send's body with its content type and encoding and converted headers, without
	 * AMQP 0-9-1 properties: what an AMQP 1.0 send needs, which sets its own id, time and
	 * durability.
	 *
	 * @param body the body
	 * @param contentType the content type
	 * @param contentEncoding the content encoding, or {@code null} for none
	 * @param headers the converted headers, or {@code null} for none
	 */
	record Body(byte[] body, String contentType, @Nullable String contentEncoding,
			@Nullable Map<String, Object> headers) {
	}

	/**
	 * Encodes a send; everything the AMQP encoder could refuse is checked here, before
	 * the channel is touched.
	 * @throws InvalidMessageException naming the field that cannot be encoded
	 */
	Outgoing encode(Object payload, String routingKey, SendOptions options, boolean persistent) {
		Body encoded = encodeBody(payload, routingKey, options);
		AMQP.BasicProperties.Builder properties = new AMQP.BasicProperties.Builder().contentType(encoded.contentType())
			.contentEncoding(encoded.contentEncoding())
			.deliveryMode(persistent ? 2 : 1)
			.timestamp(new Date())
			.correlationId(options.correlationId());
		return new Outgoing(properties, encoded.headers(), options.messageId(), encoded.body());
	}

	/**
	 * Encodes a send's body and headers only (AMQP 1.0), with the same checks as
	 * {@link #encode}.
	 * @throws InvalidMessageException naming the field that cannot be encoded
	 */
	Body encodeBody(Object payload, String routingKey, SendOptions options) {
		MessageFields.check(options.messageId(), "routingKey", routingKey);
		MessageFields.check(options.messageId(), "messageId", options.messageId());
		MessageFields.check(options.messageId(), "correlationId", options.correlationId());
		byte[] body;
		String contentType;
		String contentEncoding = null;
		if (payload instanceof String text) {
			body = text.getBytes(StandardCharsets.UTF_8);
			contentType = TEXT;
			contentEncoding = "UTF-8";
		}
		else if (payload instanceof byte[] bytes) {
			body = bytes;
			contentType = BINARY;
		}
		else {
			try {
				body = this.jsonMapper.writeValueAsBytes(payload);
			}
			catch (JacksonException ex) {
				throw new InvalidMessageException(options.messageId(), "payload", "(a " + payload.getClass().getName()
						+ ") cannot be written as JSON: " + ex.getOriginalMessage(), ex);
			}
			contentType = JSON;
			contentEncoding = "UTF-8";
		}
		Map<String, Object> headers = null;
		if (!options.headers().isEmpty()) {
			// no table at all when there are no headers: the broker then has none to look
			// through
			headers = convertHeaders(options);
			MessageFields.checkHeaders(options.messageId(), headers);
		}
		return new Body(body, contentType, contentEncoding, headers);
	}

	/** A mutable copy: the publishing channel may add its tag header. */
	private static Map<String, Object> convertHeaders(SendOptions options) {
		MessageProperties source = new MessageProperties();
		source.getHeaders().putAll(options.headers());
		return new HashMap<>(HEADER_CONVERTER.fromMessageProperties(source, "UTF-8").getHeaders());
	}

	/**
	 * A list, array or map header as JSON text, for AMQP 1.0, whose application
	 * properties hold simple values only.
	 * @throws InvalidMessageException naming the header if it cannot be written
	 */
	String headerAsJson(@Nullable String messageId, String field, Object value) {
		try {
			return this.jsonMapper.writeValueAsString(value);
		}
		catch (JacksonException ex) {
			throw new InvalidMessageException(messageId, field,
					"(a " + value.getClass().getName() + ") cannot be written as JSON: " + ex.getOriginalMessage(), ex);
		}
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

	/**
	 * The charset a delivered body's content encoding names; UTF-8 when it names none or
	 * one this JVM does not know, rather than making the body unreadable.
	 * @param encoding the content encoding, or {@code null}
	 * @return the charset
	 */
	static Charset charset(@Nullable String encoding) {
		if (encoding != null) {
			try {
				return Charset.forName(encoding);
			}
			catch (IllegalArgumentException ex) {
				// falls back to UTF-8
			}
		}
		return StandardCharsets.UTF_8;
	}

}
