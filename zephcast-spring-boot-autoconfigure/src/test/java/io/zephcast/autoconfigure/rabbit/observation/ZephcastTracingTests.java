package io.zephcast.autoconfigure.rabbit.observation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.ArrayListSpanProcessor;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.zephcast.autoconfigure.rabbit.ZephcastClientBuilderCustomizer;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces across the broker: with an OpenTelemetry tracer (in memory, W3C propagation)
 * behind the application's {@link ObservationRegistry}, a message sent inside a span is
 * processed in a span of the same trace, whose parent is the send's span, in push and in
 * pull style. Handlers only record; assertions run on the test thread.
 */
class ZephcastTracingTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final ArrayListSpanProcessor spans = new ArrayListSpanProcessor();

	private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
		.setSampler(Sampler.alwaysOn())
		.addSpanProcessor(this.spans)
		.build();

	private final OtelTracer tracer;

	private final ObservationRegistry registry = ObservationRegistry.create();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
				ZephcastObservationAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
		.withBean(ObservationRegistry.class, () -> this.registry)
		.withBean(io.micrometer.tracing.Tracer.class, this::tracer);

	private io.micrometer.tracing.Tracer tracer() {
		return this.tracer;
	}

	ZephcastTracingTests() {
		ContextPropagators propagators = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
		OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
			.setTracerProvider(this.tracerProvider)
			.setPropagators(propagators)
			.build();
		io.opentelemetry.api.trace.Tracer otelTracer = sdk.getTracer("zephcast-tests");
		this.tracer = new OtelTracer(otelTracer, new OtelCurrentTraceContext(), (event) -> {
		});
		OtelPropagator propagator = new OtelPropagator(propagators, otelTracer);
		// what Spring Boot's tracing auto-configuration registers
		this.registry.observationConfig()
			.observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
					new PropagatingSenderTracingObservationHandler<>(this.tracer, propagator),
					new PropagatingReceiverTracingObservationHandler<>(this.tracer, propagator),
					new DefaultTracingObservationHandler(this.tracer)));
	}

	@AfterEach
	void closeTracer() {
		this.tracerProvider.close();
	}

	@Test
	void aHandlersSpanContinuesTheProducersTrace() {
		String stream = this.names.stream("push");
		List<String> traceparents = new CopyOnWriteArrayList<>();
		List<String> handlerSpans = new CopyOnWriteArrayList<>();
		this.runner.withPropertyValues("zephcast.rabbit.stream-name=" + stream, "zephcast.rabbit.queue-name=" + stream)
			.run((context) -> {
				RabbitClient client = context.getBean(RabbitClient.class);
				client.subscribe((message) -> {
					traceparents.add(String.valueOf(message.headers().get("traceparent")));
					Span current = this.tracer.currentSpan();
					handlerSpans.add((current != null) ? current.context().spanId() : "none");
				});
				Observation.createNotStarted("checkout", this.registry).observe(() -> client.send("order").join());
				await().until(() -> processSpans().size() == 1);
			});
		SpanData checkout = span("checkout");
		SpanData publish = span("(default) publish");
		SpanData process = processSpans().get(0);
		assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
		assertThat(publish.getTraceId()).isEqualTo(checkout.getTraceId());
		assertThat(publish.getParentSpanId()).isEqualTo(checkout.getSpanId());
		assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
		assertThat(process.getTraceId()).isEqualTo(checkout.getTraceId());
		assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
		assertThat(process.getAttributes().asMap().toString()).contains("zephcast.outcome=acked");
		assertThat(traceparents).containsExactly("00-" + publish.getTraceId() + "-" + publish.getSpanId() + "-01");
		assertThat(handlerSpans).as("the handler runs in the process span").containsExactly(process.getSpanId());
	}

	@Test
	void aPulledMessagesSpanContinuesTheProducersTrace() {
		String stream = this.names.stream("pull");
		this.runner.withPropertyValues("zephcast.rabbit.stream-name=" + stream, "zephcast.rabbit.queue-name=" + stream)
			.run((context) -> {
				RabbitClient client = context.getBean(RabbitClient.class);
				Observation.createNotStarted("checkout", this.registry).observe(() -> client.send("order").join());
				RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
				client.ack(message);
				await().atMost(Duration.ofSeconds(10)).until(() -> processSpans().size() == 1);
			});
		SpanData checkout = span("checkout");
		SpanData publish = span("(default) publish");
		SpanData process = processSpans().get(0);
		assertThat(publish.getTraceId()).isEqualTo(checkout.getTraceId());
		assertThat(process.getTraceId()).isEqualTo(checkout.getTraceId());
		assertThat(process.getParentSpanId()).isEqualTo(publish.getSpanId());
	}

	@Test
	void withoutATracerNothingIsObservedUnlessSwitchedOn() {
		ApplicationContextRunner withoutTracer = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
					ZephcastObservationAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
			.withBean(ObservationRegistry.class, () -> this.registry);
		withoutTracer.run(
				(context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ZephcastClientBuilderCustomizer.class));
		withoutTracer.withPropertyValues("zephcast.observations.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(ZephcastClientBuilderCustomizer.class));
	}

	@Test
	void aNoOpTracerLeavesObservationsOffAndARealTracerTurnsThemOn() {
		ObservationRegistry recorded = ObservationRegistry.create();
		List<String> observations = new CopyOnWriteArrayList<>();
		recorded.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public void onStart(Observation.Context context) {
				observations.add(context.getName());
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

		});
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
					ZephcastObservationAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
			.withBean(ObservationRegistry.class, () -> recorded);
		String quiet = this.names.stream("noop");
		// what Spring Boot registers when micrometer-tracing is there without a bridge
		runner.withBean(io.micrometer.tracing.Tracer.class, () -> io.micrometer.tracing.Tracer.NOOP)
			.withPropertyValues("zephcast.rabbit.stream-name=" + quiet, "zephcast.rabbit.queue-name=" + quiet)
			.run((context) -> sendAndReceive(context.getBean(RabbitClient.class)));
		assertThat(observations).as("observed with the no-op tracer").isEmpty();

		String traced = this.names.stream("traced");
		runner.withBean(io.micrometer.tracing.Tracer.class, this::tracer)
			.withPropertyValues("zephcast.rabbit.stream-name=" + traced, "zephcast.rabbit.queue-name=" + traced)
			.run((context) -> sendAndReceive(context.getBean(RabbitClient.class)));
		assertThat(observations).contains("zephcast.publish", "zephcast.process");
	}

	private static void sendAndReceive(RabbitClient client) throws Exception {
		client.send("order").get(10, TimeUnit.SECONDS);
		RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
		client.ack(message);
	}

	@Test
	void theSwitchTurnsObservationsOff() {
		this.runner.withPropertyValues("zephcast.observations.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ZephcastClientBuilderCustomizer.class));
	}

	private List<SpanData> processSpans() {
		return this.spans.spans().stream().filter((span) -> span.getName().endsWith(" process")).toList();
	}

	private SpanData span(String name) {
		return this.spans.spans()
			.stream()
			.filter((span) -> span.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError(
					"No span '" + name + "' among " + this.spans.spans().stream().map(SpanData::getName).toList()));
	}

}
