package io.zephcast.rabbit;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Spring AMQP's {@link DirectMessageListenerContainer} that can say how many of its
 * consumers are running: the container knows (a consumer whose channel or connection is
 * lost leaves its list until it is restarted) but does not tell.
 */
final class CountingListenerContainer extends DirectMessageListenerContainer {

	CountingListenerContainer(ConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	/**
	 * The consumers subscribed to the broker now.
	 * @return the count
	 */
	int runningConsumers() {
		this.consumersLock.lock();
		try {
			return this.consumers.size();
		}
		finally {
			this.consumersLock.unlock();
		}
	}

	/**
	 * Whether the container asks for global QoS, which RabbitMQ 4 deprecates
	 * ({@link BrokerCompatibility}).
	 * @return whether its prefetch applies to the channel rather than each consumer
	 */
	boolean usesGlobalQos() {
		return isGlobalQos();
	}

}
