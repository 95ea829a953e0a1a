package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The client against a real broker: the seed's basic example and the guarantees around
 * it.
 */
class RabbitClientTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url());
	}

	@Test
	void sendsIteratesAndAcksLikeTheSeed() throws Exception {
		String queue = this.names.queue("basic");
		try (RabbitClient client = new RabbitClient("basic", config().queueName(queue).build()).connect()) {
			client.send("Hello, zephcast!").get(10, TimeUnit.SECONDS);
			for (RabbitMessage message : client) {
				assertThat(message.text()).isEqualTo("Hello, zephcast!");
				assertThat("Received: " + message).doesNotContain("Hello, zephcast!");
				assertThat(message.redelivered()).isFalse();
				assertThat(message.contentType()).isEqualTo("text/plain");
				assertThat(message.queue()).isEqualTo(queue);
				client.ack(message);
				break;
			}
		}
		// had the ack not reached the broker, closing the client would have requeued the
		// message
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void sendCompletesOnlyWhenTheMessageIsInTheQueue() throws Exception {
		String queue = this.names.queue("confirmed");
		try (RabbitClient client = new RabbitClient("confirmed", config().queueName(queue).build()).connect()) {
			CompletableFuture<?>[] sends = new CompletableFuture<?>[500];
			for (int i = 0; i < sends.length; i++) {
				sends[i] = client.send("message " + i);
			}
			CompletableFuture.allOf(sends).get(30, TimeUnit.SECONDS);
			assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(500);
		}
	}

	@Test
	void messagesArePersistentWhenDurableAndCarryTheirProperties() throws Exception {
		String queue = this.names.queue("props");
		try (RabbitClient client = new RabbitClient("props", config().queueName(queue).build()).connect()) {
			client.send("payload", SendOptions.messageId("m-1").withCorrelationId("c-1").withHeader("tenant", "a"))
				.get(10, TimeUnit.SECONDS);
		}
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			GetResponse response = channel.basicGet(queue, true);
			assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
			assertThat(response.getProps().getMessageId()).isEqualTo("m-1");
			assertThat(response.getProps().getCorrelationId()).isEqualTo("c-1");
			assertThat(response.getProps().getHeaders().get("tenant")).hasToString("a");
			assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("payload");
		}
	}

	@Test
	void nonDurableConfigSendsTransientMessages() throws Exception {
		String queue = this.names.queue("transient");
		// a durable queue declared beforehand: RabbitMQ 4 deprecates transient shared
		// queues (and the client refuses to declare one there), not transient messages
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false, null);
		}
		RabbitConfig config = config().queueName(queue).durable(false).declare(DeclareMode.OFF).build();
		try (RabbitClient client = new RabbitClient("transient", config).connect()) {
			client.send("payload").get(10, TimeUnit.SECONDS);
		}
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			assertThat(channel.basicGet(queue, true).getProps().getDeliveryMode()).isEqualTo(1);
		}
	}

	record Order(String id, int quantity) {
	}

	@Test
	void objectsTravelAsJsonAndBytesAsBytes() throws Exception {
		String queue = this.names.queue("json");
		try (RabbitClient client = new RabbitClient("json", config().queueName(queue).prefetchCount(10).build())
			.connect()) {
			client.send(new Order("o-1", 3)).get(10, TimeUnit.SECONDS);
			client.send(Map.of("id", "o-2")).get(10, TimeUnit.SECONDS);
			client.send(new byte[] { 1, 2, 3 }).get(10, TimeUnit.SECONDS);

			RabbitMessage order = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(order.contentType()).isEqualTo("application/json");
			assertThat(order.bodyAs(Order.class)).isEqualTo(new Order("o-1", 3));
			RabbitMessage map = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(map.bodyAs(Map.class)).containsEntry("id", "o-2");
			RabbitMessage bytes = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(bytes.contentType()).isEqualTo("application/octet-stream");
			assertThat(bytes.body()).containsExactly(1, 2, 3);
			client.ack(order);
			client.ack(map);
			client.ack(bytes);
		}
	}

	@Test
	void receiveWithTimeoutIsEmptyWhenNothingComes() {
		String queue = this.names.queue("empty");
		try (RabbitClient client = new RabbitClient("empty", config().queueName(queue).build()).connect()) {
			Optional<RabbitMessage> message = client.receive(Duration.ofMillis(200));
			assertThat(message).isEmpty();
		}
	}

	@Test
	void nackRequeuesAndTheMessageComesBackRedelivered() throws Exception {
		String queue = this.names.queue("nack");
		try (RabbitClient client = new RabbitClient("nack", config().queueName(queue).build()).connect()) {
			client.send("again").get(10, TimeUnit.SECONDS);
			RabbitMessage first = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(first.redelivered()).isFalse();
			client.nack(first);
			RabbitMessage second = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(second.text()).isEqualTo("again");
			assertThat(second.messageId()).isEqualTo(first.messageId());
			assertThat(second.redelivered()).isTrue();
			client.ack(second);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void nackWithoutRequeueDropsTheMessage() throws Exception {
		String queue = this.names.queue("drop");
		try (RabbitClient client = new RabbitClient("drop", config().queueName(queue).build()).connect()) {
			client.send("poison").get(10, TimeUnit.SECONDS);
			client.nack(client.receive().get(10, TimeUnit.SECONDS), false);
			assertThat(client.receive(Duration.ofMillis(300))).isEmpty();
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void secondAckOfTheSameMessageIsAClearError() throws Exception {
		String queue = this.names.queue("twice");
		try (RabbitClient client = new RabbitClient("twice", config().queueName(queue).build()).connect()) {
			client.send("once").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			client.ack(message);
			assertThatIllegalStateException().isThrownBy(() -> client.ack(message))
				.withMessageContaining("already settled");
			assertThatIllegalStateException().isThrownBy(() -> client.nack(message))
				.withMessageContaining("already settled");
			client.send("still works").get(10, TimeUnit.SECONDS);
			RabbitMessage next = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(next.text()).isEqualTo("still works");
			client.ack(next);
		}
	}

	@Test
	void acksFromAnotherThreadGoToTheDeliveringChannel() throws Exception {
		String queue = this.names.queue("threads");
		try (RabbitClient client = new RabbitClient("threads", config().queueName(queue).prefetchCount(5).build())
			.connect()) {
			for (int i = 0; i < 5; i++) {
				client.send("m" + i).get(10, TimeUnit.SECONDS);
			}
			for (int i = 0; i < 5; i++) {
				RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
				CompletableFuture.runAsync(() -> client.ack(message)).get(10, TimeUnit.SECONDS);
			}
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void sendToAnExchangeWithNoMatchingBindingFailsItsFuture() throws Exception {
		String exchange = this.names.exchange("nobody");
		RabbitConfig config = config().exchangeName(exchange).exchangeType(ExchangeType.DIRECT).build();
		try (RabbitClient client = new RabbitClient("nobody", config).connect()) {
			CompletableFuture<Void> send = client.send("lost?", SendOptions.routingKey("no.such.key"));
			assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
				.isThrownBy(() -> send.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class)
				.withMessageContaining("exchange '" + exchange + "'")
				.withMessageContaining("routing key 'no.such.key'");
		}
	}

	@Test
	void anUnroutableSendAmongManyInFlightFailsAloneAndTheOthersAreConfirmed() throws Exception {
		String exchange = this.names.exchange("pipeline");
		String queue = this.names.queue("pipeline");
		RabbitConfig config = config().exchangeName(exchange).queueName(queue).routingKey("routed").build();
		try (RabbitClient client = new RabbitClient("pipeline", config).connect()) {
			java.util.List<CompletableFuture<Void>> sends = new java.util.ArrayList<>();
			for (int i = 0; i < 2000; i++) {
				sends.add((i == 1000) ? client.send("lost", SendOptions.routingKey("nowhere")) : client.send("m" + i));
			}
			CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
				.handle((done, failure) -> null)
				.get(30, TimeUnit.SECONDS);
			assertThat(sends.get(1000)).isCompletedExceptionally();
			assertThat(sends.stream().filter(CompletableFuture::isCompletedExceptionally)).hasSize(1);
			assertThatExceptionOfType(java.util.concurrent.ExecutionException.class).isThrownBy(sends.get(1000)::get)
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class)
				.withMessageContaining("'nowhere'");
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1999);
	}

	@Test
	void aSendToAnExchangeDeletedBehindTheClientsBackFailsAndPublishingResumesOnceItIsBack() throws Exception {
		String exchange = this.names.exchange("deleted");
		String queue = this.names.queue("deleted");
		RabbitConfig config = config().exchangeName(exchange).queueName(queue).routingKey("orders").build();
		try (RabbitClient client = new RabbitClient("deleted", config).connect()) {
			client.send("before").get(10, TimeUnit.SECONDS);
			RabbitBroker.delete(java.util.List.of(), java.util.List.of(exchange));
			assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
				.isThrownBy(() -> client.send("into a missing exchange").get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(SendFailedException.class)
				.withMessageContaining("NOT_FOUND");
			// once the exchange is back, the client publishes again on a new channel
			new RabbitClient("redeclare", config).connect().close();
			client.send("after").get(10, TimeUnit.SECONDS);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(2);
	}

	@Test
	void aSendOnlyClientWithoutQueueNameDeclaresNoQueueAndTakesNoMessages() throws Exception {
		String exchange = this.names.exchange("sendonly");
		String stream = this.names.stream("sendonly");
		String queue = this.names.queue("bound");
		RabbitConfig subscriberConfig = config().exchangeName(exchange)
			.exchangeType(ExchangeType.FANOUT)
			.queueName(queue)
			.build();
		try (RabbitClient subscriber = new RabbitClient("subscriber", subscriberConfig).connect();
				RabbitClient publisher = new RabbitClient(stream,
						config().exchangeName(exchange).exchangeType(ExchangeType.FANOUT).build())
					.connect()) {
			publisher.send("to subscribers").get(10, TimeUnit.SECONDS);
			assertThat(RabbitBroker.management().queue(stream)).isEmpty();
			assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
			assertThat(RabbitBroker.consumers(queue)).isZero();
		}
	}

	@Test
	void closeRequeuesWhatWasFetchedButNotHandedOut() throws Exception {
		String queue = this.names.queue("requeue");
		RabbitConfig config = config().queueName(queue).prefetchCount(10).shutdownTimeout(Duration.ZERO).build();
		RabbitClient client = new RabbitClient("requeue", config).connect();
		for (int i = 0; i < 10; i++) {
			client.send("m" + i).get(10, TimeUnit.SECONDS);
		}
		RabbitMessage taken = client.receive().get(10, TimeUnit.SECONDS);
		client.ack(taken);
		await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(queue) == 0);
		client.close();
		await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(queue) == 9);
	}

	@Test
	void anUnackedMessageHandedOutGoesBackToTheQueueOnClose() throws Exception {
		String queue = this.names.queue("unacked");
		RabbitConfig config = config().queueName(queue).shutdownTimeout(Duration.ofMillis(100)).build();
		try (RabbitClient client = new RabbitClient("unacked", config).connect()) {
			client.send("not acked").get(10, TimeUnit.SECONDS);
			assertThat(client.receive().get(10, TimeUnit.SECONDS).text()).isEqualTo("not acked");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(queue) == 1);
	}

	@Test
	void theConnectionIsNamedAfterTheStream() throws Exception {
		String queue = this.names.queue("named");
		String stream = this.names.stream("named");
		try (RabbitClient client = new RabbitClient(stream, config().queueName(queue).build()).connect()) {
			await().atMost(Duration.ofSeconds(15))
				.untilAsserted(() -> assertThat(RabbitBroker.management().connectionNames()).contains(stream));
			assertThat(client.streamName()).isEqualTo(stream);
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void usingTheClientBeforeConnectOrAfterCloseIsAClearError() {
		RabbitClient client = new RabbitClient("lifecycle", config().queueName(this.names.queue("lc")).build());
		assertThatIllegalStateException().isThrownBy(() -> client.send("x")).withMessageContaining("connect()");
		client.connect().connect();
		client.close();
		client.close();
		assertThat(client.isConnected()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> client.send("x")).withMessageContaining("closed");
		assertThatIllegalStateException().isThrownBy(client::connect).withMessageContaining("closed");
	}

	@Test
	void aWrongUrlFailsConnectWithTheUrlAndWithoutCredentials() {
		RabbitConfig config = RabbitConfig.builder().url("amqp://user:s3cret@127.0.0.1:1/").build();
		try (RabbitClient client = new RabbitClient("nowhere", config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("amqp://***@127.0.0.1:1/")
				.withMessageNotContaining("s3cret")
				.withMessageContaining("refused");
		}
	}

}
