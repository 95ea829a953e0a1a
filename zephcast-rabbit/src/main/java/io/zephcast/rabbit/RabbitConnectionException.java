package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * The client could not connect to the broker (refused, unknown host, bad credentials,
 * unknown virtual host, TLS handshake failed), or lost the connection before the broker
 * answered a declaration (the topology may be fine: the next attempt declares again). The
 * message names the URL, or the addresses when the client has several, without
 * credentials.
 */
public class RabbitConnectionException extends RabbitClientException {

	private final String maskedUrl;

	public RabbitConnectionException(String message, String maskedUrl, @Nullable Throwable cause) {
		super(message, cause);
		this.maskedUrl = maskedUrl;
	}

	/**
	 * The URL the client tried, or the comma-separated addresses when it has several,
	 * without user names and passwords.
	 * @return the masked URL or addresses
	 */
	public String maskedUrl() {
		return this.maskedUrl;
	}

}
