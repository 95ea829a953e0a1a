package io.zephcast.rabbit;

import javax.net.ssl.SSLContext;

import io.zephcast.rabbit.internal.ConnectionFactories;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Creates the connection factory a {@link RabbitClient} creates for itself, so that
 * several clients can share one: Spring AMQP's {@link CachingConnectionFactory} with
 * publisher confirms and returns on, named after the stream, over TLS when the
 * configuration asks for it, to the addresses of a cluster's nodes when it lists several.
 *
 * <pre>{@code
 * CachingConnectionFactory shared = RabbitConnectionFactories.create("orders-app", config, null);
 * RabbitClient orders = RabbitClient.builder("orders", config).connectionFactory(shared).build();
 * RabbitClient payments = RabbitClient.builder("payments", config).connectionFactory(shared).build();
 * // ... close the clients, then shared.destroy()
 * }</pre>
 *
 * A client given a factory ({@link RabbitClient.Builder#connectionFactory}) leaves it
 * open when it closes: its creator destroys it.
 */
public final class RabbitConnectionFactories {

	private RabbitConnectionFactories() {
	}

	/**
	 * A connection factory for the configuration.
	 * @param connectionName the name the broker shows for the connections
	 * @param config the configuration
	 * @return the connection factory; the caller destroys it
	 * @throws InvalidRabbitConfigException if the TLS options cannot be used
	 */
	public static CachingConnectionFactory create(String connectionName, RabbitConfig config) {
		return ConnectionFactories.create(connectionName, config, null);
	}

	/**
	 * A connection factory for the configuration, with TLS from the given context instead
	 * of the trust and key store options (e.g. from a Spring Boot SSL bundle).
	 * @param connectionName the name the broker shows for the connections
	 * @param config the configuration
	 * @param sslContext the TLS context, or {@code null} to build it from the options
	 * @return the connection factory; the caller destroys it
	 * @throws InvalidRabbitConfigException if the TLS options cannot be used
	 */
	public static CachingConnectionFactory create(String connectionName, RabbitConfig config,
			@Nullable SSLContext sslContext) {
		return ConnectionFactories.create(connectionName, config, sslContext);
	}

}
