package io.zephcast.rabbit;

import com.rabbitmq.client.ConnectionFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Spring AMQP's caching connection factory, as {@link RabbitConnectionFactories} creates
 * it, able to tell whether its connections still dispatch on zephcast's
 * {@link ConsumerDispatch} (a customizer may have set another executor). Spring keeps the
 * executor to itself; a subclass is the one way to read it back.
 */
final class ClientConnectionFactory extends CachingConnectionFactory {

	ClientConnectionFactory(ConnectionFactory rabbitConnectionFactory) {
		super(rabbitConnectionFactory);
	}

	@Nullable ConsumerDispatch consumerDispatch() {
		return (getExecutorService() instanceof ConsumerDispatch dispatch) ? dispatch : null;
	}

}
