package io.zephcast.autoconfigure.rabbit.observation;

import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Whether the application really traces: it has a Micrometer {@code Tracer} bean that is
 * not {@code Tracer.NOOP}. Spring Boot registers that no-op tracer whenever
 * micrometer-tracing is on the class path without a tracing bridge, so the mere presence
 * of a {@code Tracer} bean says nothing; and the tracer is only known once it is created,
 * which is why this is asked when the clients are built rather than in a condition.
 */
final class ApplicationTracing {

	private static final boolean TRACING_PRESENT = ClassUtils.isPresent("io.micrometer.tracing.Tracer",
			ApplicationTracing.class.getClassLoader());

	private ApplicationTracing() {
	}

	/**
	 * Whether one of the application's tracers records spans.
	 * @param beans where the tracers are
	 * @return {@code true} if a tracer other than the no-op one is a bean
	 */
	static boolean traces(ListableBeanFactory beans) {
		return TRACING_PRESENT && Tracers.anyReal(beans);
	}

	/**
	 * Kept apart so that {@code Tracer} is only loaded when micrometer-tracing is there.
	 */
	private static final class Tracers {

		static boolean anyReal(ListableBeanFactory beans) {
			return beans.getBeanProvider(Tracer.class).stream().anyMatch((tracer) -> tracer != Tracer.NOOP);
		}

	}

}
