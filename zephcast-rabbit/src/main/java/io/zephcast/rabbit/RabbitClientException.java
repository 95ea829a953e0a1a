package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * Base class of the exceptions a {@link RabbitClient} raises or completes its futures
 * with.
 */
public class RabbitClientException extends RuntimeException {

	public RabbitClientException(String message) {
		super(message);
	}

	public RabbitClientException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
