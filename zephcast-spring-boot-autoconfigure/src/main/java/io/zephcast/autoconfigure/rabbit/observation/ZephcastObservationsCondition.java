package io.zephcast.autoconfigure.rabbit.observation;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;

/**
 * Whether zephcast may observe its sends and deliveries: when the application has a
 * Micrometer {@code Tracer} and {@code zephcast.observations.enabled} is not
 * {@code false}, or when that property is {@code true}. A tracer bean may be Spring
 * Boot's no-op one, so with a tracer the clients are only observed if it is a real one
 * ({@link ApplicationTracing}), decided when they are built. Without a tracer an
 * observation only times what {@code zephcast.send} and {@code zephcast.handler} already
 * time, at a cost the benchmark measured well above the meters' (Spring Boot's own
 * RabbitMQ observations are off by default for the same reason).
 */
class ZephcastObservationsCondition extends AnyNestedCondition {

	ZephcastObservationsCondition() {
		super(ConfigurationPhase.REGISTER_BEAN);
	}

	@ConditionalOnBooleanProperty(name = "zephcast.observations.enabled")
	static class SwitchedOn {

	}

	@ConditionalOnBean(type = "io.micrometer.tracing.Tracer")
	@ConditionalOnBooleanProperty(name = "zephcast.observations.enabled", matchIfMissing = true)
	static class Tracing {

	}

}
