package io.zephcast.autoconfigure.rabbit.metrics;

import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.zephcast.autoconfigure.rabbit.ZephcastConnectionFactoryCustomizer;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Gives each zephcast connection factory amqp-client's
 * {@link MicrometerMetricsCollector}, as Spring Boot does for its own: the
 * {@code rabbitmq.*} meters (connections, channels, published, consumed, acknowledged,
 * rejected messages), tagged {@code name} with the name the connections carry, the
 * stream's. It is set before the first connection opens, and covers the publisher
 * connection too (both share the factory's amqp-client {@code ConnectionFactory}).
 */
public final class ZephcastConnectionMetricsCustomizer implements ZephcastConnectionFactoryCustomizer {

	private final MeterRegistry registry;

	/**
	 * Instruments connection factories in the given registry.
	 * @param registry the registry
	 */
	public ZephcastConnectionMetricsCustomizer(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	public void customize(CachingConnectionFactory connectionFactory) {
		customize("zephcast", connectionFactory);
	}

	@Override
	public void customize(String connectionName, CachingConnectionFactory connectionFactory) {
		// Boot's prefix and tag key, so that zephcast's connections and Boot's own sit
		// side by side in one time series (and Prometheus sees one set of tag keys)
		connectionFactory.getRabbitConnectionFactory()
			.setMetricsCollector(
					new MicrometerMetricsCollector(this.registry, "rabbitmq", Tags.of("name", connectionName)));
	}

}
