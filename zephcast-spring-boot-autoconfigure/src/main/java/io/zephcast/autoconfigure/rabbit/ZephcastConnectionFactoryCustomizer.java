package io.zephcast.autoconfigure.rabbit;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Adjusts the connection factory of the zephcast RabbitClient (e.g. channel cache size, a
 * connection listener) before it is used. Publisher confirms and returns must stay on.
 */
@FunctionalInterface
public interface ZephcastConnectionFactoryCustomizer {

	void customize(CachingConnectionFactory connectionFactory);

}
