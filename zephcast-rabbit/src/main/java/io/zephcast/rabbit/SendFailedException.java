package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * A message was not confirmed by the broker: it was nacked, the connection failed before
 * the confirm came, or it could not be published at all. The message may or may not have
 * reached the queue; send it again if it must arrive (consumers then see it at least
 * once).
 */
public class SendFailedException extends RabbitClientException {

	private final @Nullable String messageId;

	public SendFailedException(String message, @Nullable String messageId, @Nullable Throwable cause) {
		super(message, cause);
		this.messageId = messageId;
	}

	public @Nullable String messageId() {
		return this.messageId;
	}

}
