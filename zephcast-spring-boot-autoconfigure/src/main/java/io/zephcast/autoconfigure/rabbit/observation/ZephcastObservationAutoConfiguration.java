package io.zephcast.autoconfigure.rabbit.observation;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.autoconfigure.rabbit.ZephcastClientBuilderCustomizer;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of zephcast's observations, when the application has an
 * {@link ObservationRegistry} (Spring Boot makes one with actuator): every stream's
 * client observes its sends ({@code zephcast.publish}) and delivered messages
 * ({@code zephcast.process}), and with a tracer the trace context travels in the message
 * headers. Off with {@code zephcast.observations.enabled=false}.
 */
@AutoConfiguration(before = ZephcastRabbitAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ RabbitClient.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "zephcast.observations.enabled", matchIfMissing = true)
public final class ZephcastObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "zephcastClientObservationCustomizer")
	ZephcastClientBuilderCustomizer zephcastClientObservationCustomizer(ObservationRegistry registry) {
		return (streamName, builder) -> builder.observationRegistry(registry);
	}

}
