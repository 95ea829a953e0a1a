package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * A send was refused before anything reached the broker because the message cannot be
 * encoded in AMQP: a routing key, message id, correlation id or header name longer than
 * 255 bytes, a header value the encoder cannot write, or a payload that cannot be written
 * as JSON. {@link #field()} names what to fix. The message is definitely not stored.
 */
public class InvalidMessageException extends SendFailedException {

	private final String field;

	/**
	 * An invalid message.
	 * @param messageId the message id
	 * @param field the offending field, e.g. {@code routingKey} or {@code headers.tenant}
	 * @param problem what is wrong with it
	 * @param cause the encoder's error, if any
	 */
	public InvalidMessageException(@Nullable String messageId, String field, String problem,
			@Nullable Throwable cause) {
		super("Message " + messageId + " was not sent: its " + field + " " + problem, messageId, Reason.INVALID, cause);
		this.field = field;
	}

	/**
	 * The field that cannot be encoded: {@code routingKey}, {@code messageId},
	 * {@code correlationId}, {@code headers.<name>} or {@code payload}.
	 * @return the field
	 */
	public String field() {
		return this.field;
	}

}
