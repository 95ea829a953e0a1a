package io.zephcast.rabbit.internal;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Creates the listener container a {@link RabbitClient} consumes with: Spring AMQP's
 * {@link DirectMessageListenerContainer} in manual-ack mode, one consumer (and channel)
 * per unit of concurrency, each holding at most prefetch-count unacknowledged messages.
 * It does not start by itself: the client starts it at the first receive, iteration or
 * subscription.
 */
public final class RabbitListenerContainers {

	private RabbitListenerContainers() {
	}

	/**
	 * A container for the client's queue; not yet initialized, so that it can still be
	 * customized (a Spring context initializes its beans, a standalone client calls
	 * {@code afterPropertiesSet()}).
	 * @param connectionFactory the connection factory
	 * @param topology the client's topology, naming the queue
	 * @param config the configuration, giving prefetch count, concurrency and shutdown
	 * timeout
	 * @return the container
	 */
	public static DirectMessageListenerContainer create(ConnectionFactory connectionFactory, RabbitTopology topology,
			RabbitConfig config) {
		// a container of its own kind only to count its running consumers
		// (RabbitClientStatus)
		DirectMessageListenerContainer container = new CountingListenerContainer(connectionFactory);
		container.setQueueNames(topology.queueName());
		container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
		container.setPrefetchCount(config.prefetchCount());
		container.setConsumersPerQueue(config.concurrency());
		container.setShutdownTimeout(config.shutdownTimeout().toMillis());
		container.setAutoStartup(false);
		// a consumer whose channel or connection was lost is restarted within about a
		// second, not ten
		container.setMonitorInterval(1000);
		container.setFailedDeclarationRetryInterval(1000);
		// in an application with a MeterRegistry, Spring would time every delivery with
		// its spring.rabbitmq.listener timer: a second timing of the same call on the hot
		// path, beside the client's own zephcast.deliveries and zephcast.handler meters
		container.setMicrometerEnabled(false);
		return container;
	}

}
