package io.zephcast.rabbit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.zephcast.rabbit.ConnectionOptions;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@link ConnectionOptions#addresses()}, parsed the way Spring Boot reads
 * {@code spring.rabbitmq.addresses}: {@code host[:port]}, or
 * {@code amqp[s]://[user[:password]@]host[:port][/vhost]}. Parsed with the client's own
 * {@link AmqpUrl}, so a password may hold any character and is never quoted.
 *
 * @param text the address as written; may hold credentials: show {@link #masked()}
 * @param host the host name
 * @param port the port, {@code null} when the address names none (the default port then
 * depends on TLS)
 * @param tls whether the address says {@code amqps://}
 * @param scheme whether the address starts with a scheme
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}
 * @param virtualHost the virtual host, or {@code null} when the address names none
 */
public record BrokerAddress(String text, String host, @Nullable Integer port, boolean tls, boolean scheme,
		@Nullable String username, @Nullable String password, @Nullable String virtualHost) {

	/**
	 * Parses an address.
	 * @param text the address
	 * @return the parsed address
	 * @throws IllegalArgumentException saying what is wrong, never quoting credentials
	 */
	static BrokerAddress parse(String text) {
		String trimmed = text.trim();
		if (trimmed.isEmpty()) {
			throw new IllegalArgumentException("an address is empty (expected host:port)");
		}
		boolean scheme = trimmed.contains("://");
		AmqpUrl url = AmqpUrl.parse(scheme ? trimmed : "amqp://" + trimmed);
		if (url.heartbeatSeconds() != null || url.connectionTimeoutMillis() != null || url.channelMax() != null) {
			throw new IllegalArgumentException("an address has query parameters; they belong in the url, or use "
					+ "requestedHeartbeat and connectionTimeout");
		}
		String rest = scheme ? trimmed.substring(trimmed.indexOf("://") + 3) : trimmed;
		String location = rest.substring(rest.lastIndexOf('@') + 1);
		int slash = location.indexOf('/');
		// a bare trailing '/' names no virtual host, as in the url
		String virtualHost = (slash >= 0 && slash < location.length() - 1) ? url.virtualHost() : null;
		boolean namesPort = hasPort(location.substring(0, (slash >= 0) ? slash : location.length()));
		return new BrokerAddress(trimmed, url.host(), namesPort ? url.port() : null, url.tls(), scheme, url.username(),
				url.password(), virtualHost);
	}

	/**
	 * Parses the addresses of {@link ConnectionOptions#addresses()}; refuses what a
	 * connection factory cannot use.
	 * @param addresses the addresses as written
	 * @return the addresses parsed, empty when none are given
	 * @throws InvalidRabbitConfigException naming {@code addresses}, never quoting
	 * credentials
	 */
	public static List<BrokerAddress> parseAll(List<String> addresses) {
		List<BrokerAddress> parsed = new ArrayList<>(addresses.size());
		for (String address : addresses) {
			if (address == null) {
				throw new InvalidRabbitConfigException("addresses", null, "an address is missing");
			}
			try {
				parsed.add(parse(address));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidRabbitConfigException("addresses", AmqpUrl.mask(address), ex.getMessage());
			}
		}
		boolean plainScheme = false;
		boolean tlsScheme = false;
		for (BrokerAddress address : parsed) {
			BrokerAddress first = parsed.get(0);
			plainScheme |= address.scheme() && !address.tls();
			tlsScheme |= address.tls();
			if (plainScheme && tlsScheme) {
				throw new InvalidRabbitConfigException("addresses", address.masked(),
						"mixes amqp:// and amqps://; the connections to all nodes use TLS or none does");
			}
			if (address != first && address.hasLoginOrVirtualHost()
					&& !(Objects.equals(address.username(), first.username())
							&& Objects.equals(address.password(), first.password())
							&& Objects.equals(address.virtualHost(), first.virtualHost()))) {
				throw new InvalidRabbitConfigException("addresses", address.masked(),
						"names another user or virtual host than the first address; the client logs in to every "
								+ "node the same way: give them in the url or the first address only");
			}
		}
		return parsed;
	}

	private static boolean hasPort(String authority) {
		int close = authority.lastIndexOf(']');
		int colon = authority.lastIndexOf(':');
		return colon > close && colon < authority.length() - 1;
	}

	/**
	 * Whether the address carries a login or a virtual host of its own.
	 * @return whether it does
	 */
	boolean hasLoginOrVirtualHost() {
		return this.username != null || this.password != null || this.virtualHost != null;
	}

	/**
	 * The {@code host:port} the connection factory connects to.
	 * @param tls whether the connection uses TLS, for the default port
	 * @return the host and port
	 */
	String hostAndPort(boolean tls) {
		int defaultPort = tls ? 5671 : 5672;
		return this.host + ":" + ((this.port != null) ? this.port : defaultPort);
	}

	/**
	 * The address without its user name and password.
	 * @return the masked address
	 */
	String masked() {
		return AmqpUrl.mask(this.text);
	}

	@Override
	public String toString() {
		return masked();
	}

}
