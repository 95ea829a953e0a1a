package io.zephcast.autoconfigure.rabbit;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Adjusts the connection factory of the zephcast RabbitClient (e.g. channel cache size, a
 * connection listener) before it is used. Publisher confirms and returns must stay on.
 */
@FunctionalInterface
public interface ZephcastConnectionFactoryCustomizer {

	void customize(CachingConnectionFactory connectionFactory);

	/**
	 * Customizes a connection factory, knowing the name its connections carry (the name
	 * of the stream it was made for; streams reaching the broker the same way share it).
	 * By default {@link #customize(CachingConnectionFactory)}.
	 * @param connectionName the connections' name
	 * @param connectionFactory the connection factory
	 */
	default void customize(String connectionName, CachingConnectionFactory connectionFactory) {
		customize(connectionFactory);
	}

}
