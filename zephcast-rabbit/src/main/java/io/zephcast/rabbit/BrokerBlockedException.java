package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * The broker blocks publishing on this client's connection (a memory or disk alarm), so
 * the send was refused at once instead of hanging. Nothing was published; send it again
 * once the alarm clears.
 */
public class BrokerBlockedException extends SendFailedException {

	public BrokerBlockedException(String message, @Nullable String messageId) {
		super(message, messageId, Reason.BLOCKED, null);
	}

}
