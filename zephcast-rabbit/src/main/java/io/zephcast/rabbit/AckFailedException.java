package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * An ack or nack could not reach the broker because the channel that delivered the
 * message is gone (connection lost, broker restarted, client closed). Nothing is lost:
 * the broker has put the message back in its queue and will deliver it again, flagged
 * {@link RabbitMessage#redelivered() redelivered}.
 */
public class AckFailedException extends RabbitClientException {

	public AckFailedException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
