package io.zephcast.autoconfigure.rabbit.observation;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.autoconfigure.rabbit.ZephcastClientBuilderCustomizer;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of zephcast's observations, when the application has an
 * {@link ObservationRegistry} (Spring Boot makes one with actuator) and traces: every
 * stream's client observes its sends ({@code zephcast.publish}) and delivered messages
 * ({@code zephcast.process}), and the trace context travels in the message headers. The
 * application traces when it has a {@code Tracer} bean other than {@code Tracer.NOOP}
 * (which Spring Boot registers when micrometer-tracing has no bridge): with only that
 * no-op tracer the clients are built without observations. Off with
 * {@code zephcast.observations.enabled=false}; on without a tracer with
 * {@code zephcast.observations.enabled=true} (see {@link ZephcastObservationsCondition}).
 */
@AutoConfiguration(before = ZephcastRabbitAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
				"org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration" })
@ConditionalOnClass({ RabbitClient.class, ObservationRegistry.class })
@ConditionalOnBean(ObservationRegistry.class)
@Conditional(ZephcastObservationsCondition.class)
public final class ZephcastObservationAutoConfiguration {

	private static final String ENABLED = "zephcast.observations.enabled";

	@Bean
	@ConditionalOnMissingBean(name = "zephcastClientObservationCustomizer")
	ZephcastClientBuilderCustomizer zephcastClientObservationCustomizer(ObservationRegistry registry,
			Environment environment, ListableBeanFactory beans) {
		return (streamName, builder) -> {
			// a Tracer bean alone (Spring Boot's no-op one) does not switch observations
			// on: they cost CPU on every message and would only time what the meters time
			if (environment.getProperty(ENABLED, Boolean.class, false) || ApplicationTracing.traces(beans)) {
				builder.observationRegistry(registry);
			}
		};
	}

}
