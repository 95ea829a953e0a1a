package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.rabbit.SendFailedException.Reason;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client's seam for meters and observations, against a real broker: what
 * {@link RabbitClientMetrics} hears about sends, deliveries and handlers, what
 * {@link RabbitClientStatus} reports, and the headers an observation handler writes
 * reaching the consumer's observation.
 */
class ClientInstrumentationTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final RecordingMetrics metrics = new RecordingMetrics();

	private RabbitClient client(String stream, RabbitConfig config) {
		return RabbitClient.builder(stream, config).metrics(this.metrics).build().connect();
	}

	@Test
	void sendsAreReportedWithTheirOutcome() throws Exception {
		String queue = this.names.queue("sends");
		String exchange = this.names.exchange("sends");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.exchangeName(exchange)
			.queueName(queue)
			.routingKey("bound")
			.build();
		try (RabbitClient client = client("sends", config)) {
			client.send("routed").get(10, TimeUnit.SECONDS);
			CompletableFuture<Void> unroutable = client.send("lost", SendOptions.routingKey("nowhere"));
			CompletableFuture<Void> invalid = client.send("bad", SendOptions.routingKey("k".repeat(300)));
			await().until(() -> unroutable.isDone() && invalid.isDone());
		}
		await().untilAsserted(() -> assertThat(this.metrics.sends).containsExactlyInAnyOrder("confirmed",
				Reason.UNROUTABLE.tag(), Reason.INVALID.tag()));
		assertThat(this.metrics.sendNanos).allSatisfy((nanos) -> assertThat(nanos).isPositive());
	}

	@Test
	void pulledMessagesAreReportedAsSettled() throws Exception {
		String queue = this.names.queue("pull");
		try (RabbitClient client = client("pull",
				RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).prefetchCount(10).build())) {
			for (int i = 0; i < 4; i++) {
				client.send("m" + i).get(10, TimeUnit.SECONDS);
			}
			client.ack(client.receive(Duration.ofSeconds(10)).orElseThrow());
			client.nack(client.receive(Duration.ofSeconds(10)).orElseThrow(), false);
			RabbitMessage requeued = client.receive(Duration.ofSeconds(10)).orElseThrow();
			await().untilAsserted(() -> assertThat(client.status().deliveriesBuffered()).isGreaterThan(0));
			client.nack(requeued);
			RabbitClientStatus status = client.status();
			assertThat(status.isConsuming()).isTrue();
			assertThat(status.consumersConfigured()).isEqualTo(1);
			assertThat(status.consumersRunning()).isEqualTo(1);
			assertThat(status.checkBroker().queue()).isNotNull();
			assertThat(status.checkBroker().queue().name()).isEqualTo(queue);
			assertThat(status.checkBroker().queue().consumers()).isEqualTo(1);
		}
		// closing releases what was buffered and never handed out
		assertThat(this.metrics.deliveries).startsWith(DeliveryOutcome.ACKED, DeliveryOutcome.REJECTED,
				DeliveryOutcome.REQUEUED);
		assertThat(this.metrics.deliveries.subList(3, this.metrics.deliveries.size()))
			.containsOnly(DeliveryOutcome.RELEASED);
	}

	@Test
	void handlerCallsAreTimedAndTheirFailuresReported() throws Exception {
		String queue = this.names.queue("push");
		try (RabbitClient client = client("push",
				RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build())) {
			client.subscribe((message) -> {
				if (message.deliveryAttempt() == 1) {
					throw new IllegalStateException("first attempt fails");
				}
			});
			client.send("once").get(10, TimeUnit.SECONDS);
			await().untilAsserted(() -> assertThat(this.metrics.deliveries).containsExactly(DeliveryOutcome.RETRIED,
					DeliveryOutcome.ACKED));
		}
		assertThat(this.metrics.handlerFailures).hasSize(2);
		assertThat(this.metrics.handlerFailures.get(0)).isInstanceOf(IllegalStateException.class);
		assertThat(this.metrics.handlerFailures.get(1)).isNull();
	}

	@Test
	void retriesAndDeadLettersAreReportedAsSuch() throws Exception {
		String queue = this.names.queue("poison");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.retry(RetryPolicy.builder().initialInterval(Duration.ofMillis(100)).build())
			.build();
		try (RabbitClient client = client("poison", config)) {
			client.send("retried").get(10, TimeUnit.SECONDS);
			client.retryLater(client.receive(Duration.ofSeconds(10)).orElseThrow()).get(10, TimeUnit.SECONDS);
			client.deadLetter(client.receive(Duration.ofSeconds(10)).orElseThrow()).get(10, TimeUnit.SECONDS);
			client.send("through the deprecated alias").get(10, TimeUnit.SECONDS);
			deprecatedReject(client, client.receive(Duration.ofSeconds(10)).orElseThrow());
			client.send("nacked").get(10, TimeUnit.SECONDS);
			client.nack(client.receive(Duration.ofSeconds(10)).orElseThrow(), false);
		}
		// AMQP's names: a nack without requeue is "rejected", the client's own dead
		// letter "dead-lettered"
		assertThat(this.metrics.deliveries).containsExactly(DeliveryOutcome.RETRIED, DeliveryOutcome.DEAD_LETTERED,
				DeliveryOutcome.DEAD_LETTERED, DeliveryOutcome.REJECTED);
		await().untilAsserted(
				() -> assertThat(RabbitBroker.readyMessages(queue + RetryQueues.DEAD_LETTER_SUFFIX)).isEqualTo(2));
	}

	@SuppressWarnings("removal")
	private static void deprecatedReject(RabbitClient client, RabbitMessage message) throws Exception {
		client.reject(message).get(10, TimeUnit.SECONDS);
	}

	@Test
	void aDeadLetterWithNowhereToGoIsReportedAsRejected() throws Exception {
		String queue = this.names.queue("nowhere");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.deadLetterQueue(false)
			.build();
		try (RabbitClient client = client("nowhere", config)) {
			client.send("dropped").get(10, TimeUnit.SECONDS);
			client.deadLetter(client.receive(Duration.ofSeconds(10)).orElseThrow()).get(10, TimeUnit.SECONDS);
		}
		assertThat(this.metrics.deliveries).containsExactly(DeliveryOutcome.REJECTED);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void theSendObservationsHeadersReachTheDeliverysObservation() throws Exception {
		String queue = this.names.queue("observed");
		ObservationRegistry registry = ObservationRegistry.create();
		HeaderPropagation propagation = new HeaderPropagation();
		registry.observationConfig().observationHandler(propagation);
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		try (RabbitClient client = RabbitClient.builder("observed", config)
			.observationRegistry(registry)
			.build()
			.connect()) {
			client.send("traced", SendOptions.header("tenant", "a")).get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(message.headers()).containsEntry("test-trace", "trace-1").containsEntry("tenant", "a");
			client.ack(message);
		}
		await().untilAsserted(() -> assertThat(propagation.received).containsExactly("trace-1"));
		assertThat(propagation.stopped).containsExactlyInAnyOrder("zephcast.publish:confirmed",
				"zephcast.process:acked");
	}

	@Test
	void withoutMetricsOrObservationsNothingIsWrapped() {
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).build();
		ClientInstrumentation off = new ClientInstrumentation("off", RabbitTopology.of("off", config),
				ObservationRegistry.NOOP, RabbitClientMetrics.NONE);
		RabbitMessageHandler handler = (message) -> {
		};
		assertThat(off.isOff()).isTrue();
		assertThat(off.timed(handler)).isSameAs(handler);
		assertThat(off.arrived(new org.springframework.amqp.core.MessageProperties())).isSameAs(DeliveryListener.NONE);
	}

	private static final class RecordingMetrics implements RabbitClientMetrics {

		final List<String> sends = new CopyOnWriteArrayList<>();

		final List<Long> sendNanos = new CopyOnWriteArrayList<>();

		final List<DeliveryOutcome> deliveries = new CopyOnWriteArrayList<>();

		final List<@Nullable Throwable> handlerFailures = java.util.Collections
			.synchronizedList(new java.util.ArrayList<>());

		@Override
		public void sent(long nanos, @Nullable Reason failure) {
			this.sendNanos.add(nanos);
			this.sends.add((failure != null) ? failure.tag() : "confirmed");
		}

		@Override
		public void settled(DeliveryOutcome outcome) {
			this.deliveries.add(outcome);
		}

		@Override
		public void handled(long nanos, @Nullable Throwable failure) {
			this.handlerFailures.add(failure);
		}

	}

	/** A stand-in for a tracer: writes a header on send, reads it on receive. */
	private static final class HeaderPropagation implements ObservationHandler<Observation.Context> {

		final List<String> received = new CopyOnWriteArrayList<>();

		final List<String> stopped = new CopyOnWriteArrayList<>();

		@Override
		@SuppressWarnings("unchecked")
		public void onStart(Observation.Context context) {
			if (context instanceof SenderContext<?> sender) {
				((SenderContext<Object>) sender).getSetter().set(sender.getCarrier(), "test-trace", "trace-1");
			}
			else if (context instanceof ReceiverContext<?> receiver) {
				String value = ((ReceiverContext<Object>) receiver).getGetter()
					.get(receiver.getCarrier(), "test-trace");
				if (value != null) {
					this.received.add(value);
				}
			}
		}

		@Override
		public void onStop(Observation.Context context) {
			this.stopped
				.add(context.getName() + ":" + context.getLowCardinalityKeyValue("zephcast.outcome").getValue());
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

	}

}
