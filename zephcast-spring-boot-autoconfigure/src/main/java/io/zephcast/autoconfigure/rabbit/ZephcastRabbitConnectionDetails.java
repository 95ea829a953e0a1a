package io.zephcast.autoconfigure.rabbit;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.util.Assert;

/**
 * Where the default stream, and every stream that does not set its own {@code url},
 * connects: from {@code zephcast.rabbit.url} unless a bean of this type is defined, such
 * as the one {@code @ServiceConnection} creates for a Testcontainers
 * {@code RabbitMQContainer} or Docker Compose creates for a {@code rabbitmq} service.
 */
public interface ZephcastRabbitConnectionDetails extends ConnectionDetails {

	/**
	 * Login user.
	 * @return the user name, or {@code null} for RabbitMQ's default user
	 */
	@Nullable String getUsername();

	/**
	 * Login password.
	 * @return the password, or {@code null}
	 */
	@Nullable String getPassword();

	/**
	 * Virtual host.
	 * @return the virtual host, {@code /} for the default one
	 */
	default String getVirtualHost() {
		return "/";
	}

	/**
	 * The broker's addresses: the nodes of a cluster, which the client tries in turn (and
	 * in the order {@code zephcast.rabbit.address-shuffle-mode} says).
	 * @return the addresses, at least one
	 */
	List<Address> getAddresses();

	/**
	 * The SSL bundle to connect with, as a service connection gives it (Spring Boot's
	 * {@code RabbitConnectionDetails#getSslBundle()}): when not {@code null}, the streams
	 * that follow these details connect with TLS and this bundle, whatever
	 * {@code ssl-options.bundle} says.
	 * @return the bundle, or {@code null} (the default) to use the properties' TLS
	 * settings
	 */
	default @Nullable SslBundle getSslBundle() {
		return null;
	}

	/**
	 * The URL the client connects to: the first address with the credentials and the
	 * virtual host.
	 * @return an {@code amqp://} or {@code amqps://} URL
	 */
	default String getUrl() {
		List<Address> addresses = getAddresses();
		Assert.state(!addresses.isEmpty(), "ZephcastRabbitConnectionDetails has no address");
		Address address = addresses.get(0);
		StringBuilder url = new StringBuilder(address.secure() ? "amqps://" : "amqp://");
		String username = getUsername();
		if (username != null) {
			url.append(encode(username));
			String password = getPassword();
			if (password != null) {
				url.append(':').append(encode(password));
			}
			url.append('@');
		}
		url.append(address.host()).append(':').append(address.port()).append('/');
		String virtualHost = getVirtualHost();
		if (!virtualHost.equals("/")) {
			url.append(encode(virtualHost));
		}
		return url.toString();
	}

	private static String encode(String value) {
		// URLEncoder writes a space as '+', which an amqp URL reads as a plus sign
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/**
	 * A broker address.
	 *
	 * @param host the host name
	 * @param port the port
	 * @param secure whether the port speaks TLS
	 */
	record Address(String host, int port, boolean secure) {

		/**
		 * A plain AMQP address.
		 * @param host the host name
		 * @param port the port
		 */
		public Address(String host, int port) {
			this(host, port, false);
		}

	}

}
