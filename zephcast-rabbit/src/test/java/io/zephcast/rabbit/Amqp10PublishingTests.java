package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Sending over AMQP 1.0 ({@code protocol=amqp-1-0}) on RabbitMQ 4.0: what the broker
 * stores is read back over AMQP 0-9-1 (an independent client) and compared message by
 * message.
 */
class Amqp10PublishingTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url()).protocol(Protocol.AMQP_1_0);
	}

	@Test
	void sendThroughAnExchangeStoresExactlyTheSentMessages() throws Exception {
		String exchange = this.names.exchange("orders");
		String queue = this.names.queue("orders");
		RabbitConfig config = config().exchangeName(exchange).queueName(queue).routingKey("orders").build();
		try (RabbitClient client = new RabbitClient(this.names.stream("sender"), config).connect()) {
			List<CompletableFuture<Void>> sends = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				sends.add(client.send("order " + i,
						SendOptions.messageId("id-" + i)
							.withCorrelationId("corr-" + i)
							.withHeader("tenant", "acme")
							.withHeader("attempt", i)));
			}
			sends.add(client.send(Map.of("total", 42), SendOptions.messageId("id-json")));
			sends.add(client.send(new byte[] { 1, 2, 3 }, SendOptions.messageId("id-bytes")));
			CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		List<GetResponse> stored = RabbitBroker.drain(queue);
		assertThat(stored).hasSize(7);
		for (int i = 0; i < 5; i++) {
			GetResponse message = stored.get(i);
			assertThat(new String(message.getBody(), StandardCharsets.UTF_8)).isEqualTo("order " + i);
			assertThat(message.getProps().getMessageId()).isEqualTo("id-" + i);
			assertThat(message.getProps().getCorrelationId()).isEqualTo("corr-" + i);
			assertThat(message.getProps().getContentType()).isEqualTo("text/plain");
			assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
			assertThat(message.getProps().getTimestamp()).isNotNull();
			assertThat(message.getProps().getHeaders()).containsKey("tenant");
			assertThat(String.valueOf(message.getProps().getHeaders().get("tenant"))).isEqualTo("acme");
			assertThat(((Number) message.getProps().getHeaders().get("attempt")).intValue()).isEqualTo(i);
			assertThat(message.getEnvelope().getRoutingKey()).isEqualTo("orders");
		}
		assertThat(stored.get(5).getProps().getMessageId()).isEqualTo("id-json");
		assertThat(stored.get(5).getProps().getContentType()).isEqualTo("application/json");
		assertThat(new String(stored.get(5).getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"total\":42}");
		assertThat(stored.get(6).getBody()).containsExactly(1, 2, 3);
	}

	@Test
	void sendThroughTheDefaultExchangeLandsInTheQueueWithGeneratedIds() throws Exception {
		String queue = this.names.queue("plain");
		RabbitConfig config = config().queueName(queue).build();
		try (RabbitClient client = new RabbitClient(this.names.stream("plain"), config).connect()) {
			client.send("one").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.send("two").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		List<GetResponse> stored = RabbitBroker.drain(queue);
		assertThat(stored).extracting((message) -> new String(message.getBody(), StandardCharsets.UTF_8))
			.containsExactly("one", "two");
		assertThat(stored).extracting((message) -> message.getProps().getMessageId())
			.doesNotContainNull()
			.doesNotHaveDuplicates();
	}

	@Test
	void unroutableSendFailsAndStoresNothing() throws Exception {
		String exchange = this.names.exchange("routed");
		String queue = this.names.queue("routed");
		RabbitConfig config = config().exchangeName(exchange).queueName(queue).routingKey("bound").build();
		try (RabbitClient client = new RabbitClient(this.names.stream("unroutable"), config).connect()) {
			assertThat(client.send("lost", SendOptions.routingKey("nobody").withMessageId("m-1"))).failsWithin(WAIT)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class)
				.withMessageContaining("m-1")
				.withMessageContaining("nobody");
			client.send("kept").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(RabbitBroker.drain(queue))
			.extracting((message) -> new String(message.getBody(), StandardCharsets.UTF_8))
			.containsExactly("kept");
	}

	@Test
	void sendToAFullQueueThatRejectsPublishesFailsAndStoresNothingMore() throws Exception {
		String queue = this.names.queue("full");
		RabbitConfig config = config().queueName(queue)
			.queue(QueueArguments.builder().maxLength(2L).overflow(QueueOverflow.REJECT_PUBLISH).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("full"), config).connect()) {
			client.send("first").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.send("second").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(client.send("third", SendOptions.messageId("m-3"))).failsWithin(WAIT)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class, (failure) -> {
					assertThat(failure.reason()).isEqualTo(SendFailedException.Reason.NACKED);
					assertThat(failure).isNotInstanceOf(UnroutableMessageException.class);
				})
				.withMessageContaining("m-3")
				.withMessageContaining("rejected");
		}
		assertThat(RabbitBroker.drain(queue))
			.extracting((message) -> new String(message.getBody(), StandardCharsets.UTF_8))
			.containsExactly("first", "second");
	}

	@Test
	void sendOnAClientNotConnectedIsRefusedAndCloseLeavesNoConnection() throws Exception {
		String stream = this.names.stream("lifecycle");
		RabbitClient client = new RabbitClient(stream, config().build());
		assertThatIllegalStateException().isThrownBy(() -> client.send("early")).withMessageContaining("connect()");
		client.connect();
		client.connect();
		assertThat(client.isConnected()).isTrue();
		assertThat(client.status().state()).isEqualTo("RUNNING");
		Awaitility.await().atMost(WAIT).until(() -> RabbitBroker.management().connectionNames().contains(stream));
		client.close();
		assertThat(client.isRunning()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> client.send("late")).withMessageContaining("closed");
		Awaitility.await().atMost(WAIT).until(() -> !RabbitBroker.management().connectionNames().contains(stream));
	}

	@Test
	void futuresCompleteOnTheCallbackPoolAndStopRefusesSendsUntilStart() throws Exception {
		String queue = this.names.queue("threads");
		String stream = this.names.stream("threads");
		try (RabbitClient client = new RabbitClient(stream, config().queueName(queue).build()).connect()) {
			String thread = client.send("one")
				.thenApply((ignored) -> Thread.currentThread().getName())
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(thread).startsWith("zephcast-" + stream + "-callback-");
			client.stop();
			assertThat(client.isRunning()).isFalse();
			assertThatIllegalStateException().isThrownBy(() -> client.send("while stopped"))
				.withMessageContaining("stopped");
			client.start();
			client.send("two").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(RabbitBroker.drain(queue))
			.extracting((message) -> new String(message.getBody(), StandardCharsets.UTF_8))
			.containsExactly("one", "two");
	}

	@Test
	void futuresCompleteOnAnApplicationsPlainExecutor() throws Exception {
		String queue = this.names.queue("app-executor");
		ExecutorService pool = Executors.newSingleThreadExecutor((task) -> new Thread(task, "app-callbacks"));
		// a plain Executor, not an ExecutorService: the client must not need more
		Executor executor = pool::execute;
		try (RabbitClient client = RabbitClient
			.builder(this.names.stream("app-executor"), config().queueName(queue).build())
			.callbackExecutor(executor)
			.build()
			.connect()) {
			List<CompletableFuture<String>> threads = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				threads.add(client.send("m-" + i)
					.handle((ignored, failure) -> (failure != null) ? failure.toString()
							: Thread.currentThread().getName()));
			}
			for (CompletableFuture<String> thread : threads) {
				// completed on the application's thread, or already completed when the
				// test asked (then on the test's thread)
				assertThat(thread.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isIn("app-callbacks",
						Thread.currentThread().getName());
			}
			assertThat(threads).extracting(CompletableFuture::join).contains("app-callbacks");
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(RabbitBroker.drain(queue)).hasSize(50);
	}

	@Test
	void headersAreConvertedAsOverAmqp091AndAListTravelsAsJsonText() throws Exception {
		String queue = this.names.queue("headers");
		try (RabbitClient client = new RabbitClient(this.names.stream("headers"), config().queueName(queue).build())
			.connect()) {
			// application properties hold simple values only: what Spring's converter
			// keeps as a list (a field array over 0-9-1) goes as JSON, an AtomicInteger
			// as text, as over 0-9-1
			client
				.send("listed",
						SendOptions.header("tags", List.of("a", "b")).withHeader("counter", new AtomicInteger(7)))
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		List<GetResponse> stored = RabbitBroker.drain(queue);
		assertThat(stored).hasSize(1);
		Map<String, Object> headers = stored.get(0).getProps().getHeaders();
		assertThat(String.valueOf(headers.get("tags"))).isEqualTo("[\"a\",\"b\"]");
		assertThat(String.valueOf(headers.get("counter"))).isEqualTo("7");
	}

	@Test
	void settlingAMessageAnotherClientDeliveredIsRefused() throws Exception {
		String queue = this.names.queue("foreign");
		RabbitConfig classic = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		try (RabbitClient amqp091 = new RabbitClient(this.names.stream("amqp091"), classic).connect();
				RabbitClient amqp10 = new RabbitClient(this.names.stream("amqp10"), config().queueName(queue).build())
					.connect()) {
			amqp10.send("hello").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			RabbitMessage message = amqp091.receive().get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("hello");
			assertThatIllegalArgumentException().isThrownBy(() -> amqp10.ack(message))
				.withMessageContaining("another RabbitClient");
			assertThatIllegalArgumentException().isThrownBy(() -> amqp10.nack(message, true));
			assertThatIllegalArgumentException().isThrownBy(() -> amqp10.retryLater(message, null));
			assertThatIllegalArgumentException().isThrownBy(() -> amqp10.deadLetter(message, null));
			amqp091.ack(message);
		}
	}

}
