package io.zephcast.autoconfigure.rabbit.metrics;

import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import io.micrometer.core.instrument.MeterRegistry;
import io.zephcast.autoconfigure.rabbit.RabbitClients;
import io.zephcast.autoconfigure.rabbit.ZephcastClientBuilderCustomizer;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the zephcast meters, when the application has a
 * {@link MeterRegistry}: zephcast's own ({@link MicrometerClientMetrics},
 * {@link ZephcastClientMeterBinder}) and amqp-client's connection meters
 * ({@link ZephcastConnectionMetricsCustomizer}). Off with
 * {@code zephcast.metrics.enabled=false}.
 */
@AutoConfiguration(before = ZephcastRabbitAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ RabbitClient.class, MeterRegistry.class, MicrometerMetricsCollector.class })
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "zephcast.metrics.enabled", matchIfMissing = true)
public final class ZephcastMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "zephcastClientMetricsCustomizer")
	ZephcastClientBuilderCustomizer zephcastClientMetricsCustomizer(MeterRegistry registry) {
		return (streamName, builder) -> builder.metrics(new MicrometerClientMetrics(registry, streamName));
	}

	@Bean
	@ConditionalOnMissingBean
	ZephcastConnectionMetricsCustomizer zephcastConnectionMetricsCustomizer(MeterRegistry registry) {
		return new ZephcastConnectionMetricsCustomizer(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	ZephcastClientMeterBinder zephcastClientMeterBinder(ObjectProvider<RabbitClients> clients) {
		return new ZephcastClientMeterBinder(clients);
	}

}
