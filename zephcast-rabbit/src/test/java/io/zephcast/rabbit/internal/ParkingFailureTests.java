package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueOverflow;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Messages that cannot be parked: their retry or dead-letter copy is not stored by the
 * broker. They go back to their queue only after a back-off, so a poison message neither
 * spins nor is dropped, and the failure shows in the log, the meters and the status.
 */
class ParkingFailureTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder()
			.url(RabbitBroker.url())
			.exchangeName(this.names.exchange("orders"))
			.exchangeType(ExchangeType.TOPIC)
			.routingKey("orders.created")
			.queueName(this.names.queue("work"))
			.queueType(QueueType.CLASSIC);
	}

	@ParameterizedTest
	@EnumSource(QueueType.class)
	void aDeadLetterExchangeThatRoutesNothingHoldsTheMessageBackInsteadOfSpinning(QueueType type) throws Exception {
		String nowhere = this.names.exchange("nowhere");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			// exists, but no queue is bound to it: every dead letter is unroutable
			channel.exchangeDeclare(nowhere, "direct", true);
		}
		RabbitConfig config = config().queueType(type)
			.retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder().deadLetterExchange(nowhere).build())
			.build();
		AtomicInteger invocations = new AtomicInteger();
		Queue<String> parkingFailures = new ConcurrentLinkedQueue<>();
		RabbitClientMetrics metrics = new RabbitClientMetrics() {
			@Override
			public void parkingFailed(String reason) {
				parkingFailures.add(reason);
			}
		};
		RabbitClientStatus status;
		try (RabbitClient client = RabbitClient.builder("parking", config).metrics(metrics).build().connect()) {
			status = client.status();
			client.subscribe((message) -> {
				invocations.incrementAndGet();
				throw new IllegalStateException("always");
			});
			client.send("stuck", SendOptions.messageId("stuck-1")).get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> invocations.get() >= 1);
			// the window: the handler may run again only after each back-off (1 s, 2 s)
			await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> invocations.get() <= 5);
			assertThat(status.deliveriesHeldUnparked()).as("held for its back-off").isLessThanOrEqualTo(1);
		}
		assertThat(invocations.get()).as("handler invocations in about 3 s").isBetween(2, 5);
		assertThat(parkingFailures).as("one parking failure per invocation")
			.hasSize(invocations.get())
			.containsOnly("unroutable");
		assertThat(status.parkingFailures()).isEqualTo(invocations.get());
		RabbitClientStatus.ParkingFailure last = status.lastParkingFailure();
		assertThat(last).isNotNull();
		assertThat(last.reason()).contains("dead letter (attempts-exhausted)", nowhere, "queue.deadLetterExchange",
				"zephcast.rabbit.queue.dead-letter-exchange");
		assertThat(status.deliveriesHeldUnparked()).isZero();
		// the broker's truth: the client closed, and the message is still in its queue
		assertThat(RabbitBroker.readyMessages(config.queueName())).isEqualTo(1);
	}

	@Test
	void aCopyThatCannotEvenBeSentFailsTheFutureAndTheMessageGoesBackToItsQueue() throws Exception {
		RabbitConfig config = config().build();
		IllegalStateException broken = new IllegalStateException("the cause cannot say what it is");
		// an application's exception that throws when the client records it in the copy
		Throwable cause = new RuntimeException() {
			@Override
			public String getMessage() {
				throw broken;
			}
		};
		try (RabbitClient client = new RabbitClient("unsendable", config).connect()) {
			client.send("fragile", SendOptions.messageId("fragile-1")).get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();

			CompletableFuture<Void> retried = client.retryLater(message, cause);
			assertThat(retried).failsWithin(Duration.ofSeconds(10))
				.withThrowableOfType(ExecutionException.class)
				.withCause(broken);
			assertThat(message.isSettled()).isTrue();
			RabbitMessage again = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(again.messageId()).isEqualTo("fragile-1");
			assertThat(again.redelivered()).as("requeued, not dropped and not left unacked").isTrue();

			CompletableFuture<Void> rejected = client.deadLetter(again, cause);
			assertThat(rejected).failsWithin(Duration.ofSeconds(10))
				.withThrowableOfType(ExecutionException.class)
				.withCause(broken);
			RabbitMessage third = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(third.messageId()).isEqualTo("fragile-1");
			client.ack(third);
			assertThat(client.status().parkingFailures()).isEqualTo(2);
			assertThat(client.status().deliveriesHeldUnparked()).isZero();
		}
		assertThat(RabbitBroker.readyMessages(config.queueName())).isZero();
	}

	@Test
	void aFullClassicQueueThatRejectsPublishesCannotBeConsumedWithRetries() throws Exception {
		QueueArguments full = QueueArguments.builder().maxLength(1L).overflow(QueueOverflow.REJECT_PUBLISH).build();
		RabbitConfig config = config().queue(full).build();
		try (RabbitClient client = new RabbitClient("full", config).connect()) {
			// a publisher may use reject-publish as back-pressure: only a consumer
			// retries
			client.send("first").get(10, TimeUnit.SECONDS);
			assertThatThrownBy(() -> client.subscribe((message) -> {
			})).isInstanceOfSatisfying(InvalidRabbitConfigException.class,
					(ex) -> assertThat(ex.setting()).isEqualTo("queue.overflow"))
				.hasMessageContaining("queue.maxLength")
				.hasMessageContaining("retry.maxAttempts 3")
				.hasMessageContaining("zephcast.rabbit.queue.max-length")
				.hasMessageContaining("zephcast.rabbit.consumer.retry.max-attempts");
			assertThat(client.receive()).failsWithin(Duration.ofSeconds(5))
				.withThrowableOfType(ExecutionException.class)
				.withCauseInstanceOf(InvalidRabbitConfigException.class);
			assertThatThrownBy(() -> client.receive(Duration.ofMillis(10)))
				.isInstanceOf(InvalidRabbitConfigException.class);
			// refused before anything was declared or consumed
			assertThat(RabbitBroker.consumers(config.queueName())).isZero();
			assertThat(RabbitBroker.management().queueNames(config.queueName() + RetryQueues.WAIT_INFIX)).isEmpty();
			assertThat(RabbitBroker.readyMessages(config.queueName())).isEqualTo(1);
		}
		// without retries nothing comes back from a wait queue: the same queue is fine
		RabbitConfig noRetries = config().queueName(config.queueName()).queue(full).retry(RetryPolicy.NONE).build();
		try (RabbitClient client = new RabbitClient("full", noRetries).connect()) {
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(message.text()).isEqualTo("first");
			client.ack(message);
		}
	}

	@Test
	void copiesCarryNoInternalHeaderIntoTheQueuesOtherClientsRead() throws Exception {
		RabbitConfig config = config()
			.retry(RetryPolicy.builder().maxAttempts(2).initialInterval(Duration.ofMinutes(1)).build())
			.build();
		String waitQueue;
		try (RabbitClient client = new RabbitClient("headers", config).connect()) {
			waitQueue = RabbitTopology.of(client.streamName(), client.config())
				.retryQueues()
				.waitQueueName(Duration.ofMinutes(1));
			client.send("retried", SendOptions.messageId("retried-1")).get(10, TimeUnit.SECONDS);
			client.send("rejected", SendOptions.messageId("rejected-1")).get(10, TimeUnit.SECONDS);
			RabbitMessage retried = client.receive(Duration.ofSeconds(10)).orElseThrow();
			client.retryLater(retried, new IllegalStateException("later")).get(10, TimeUnit.SECONDS);
			RabbitMessage rejected = client.receive(Duration.ofSeconds(10)).orElseThrow();
			client.deadLetter(rejected, new IllegalStateException("never")).get(10, TimeUnit.SECONDS);
		}
		// read from the broker by a plain client, as any other application would
		for (String queue : new String[] { waitQueue, config.queueName() + RetryQueues.DEAD_LETTER_SUFFIX }) {
			try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
				GetResponse copy = channel.basicGet(queue, true);
				assertThat(copy).as("the copy in " + queue).isNotNull();
				assertThat(copy.getProps().getMessageId()).as(queue).isIn("retried-1", "rejected-1");
				assertThat(copy.getProps().getHeaders()).as(queue)
					.containsKey("zephcast-original-exchange")
					.doesNotContainKey(PublishLane.TAG_HEADER);
			}
		}
	}

	@Test
	void aCopyOfAMessageThisClientSentWithoutAnIdIsStillSeenUnroutable() throws Exception {
		String nowhere = this.names.exchange("nowhere");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.exchangeDeclare(nowhere, "direct", true);
		}
		RabbitConfig config = config().retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder().deadLetterExchange(nowhere).build())
			.build();
		try (RabbitClient client = new RabbitClient("own-id", config).connect()) {
			// the id is this client's own: its copy's return must not be taken for the
			// original's
			client.send("no id of its own").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
			client.deadLetter(message).get(10, TimeUnit.SECONDS);
			assertThat(client.status().parkingFailures()).isEqualTo(1);
			RabbitMessage again = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(again.messageId()).isEqualTo(message.messageId());
			client.ack(again);
		}
	}

	@Test
	void aDeadLetterQueueThatRefusesTheCopyHoldsTheMessageBackToo() throws Exception {
		String refusing = this.names.exchange("refusing");
		String full = this.names.queue("full");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			// routes to a queue that takes nothing: the broker nacks every dead letter
			channel.exchangeDeclare(refusing, "direct", true);
			channel.queueDeclare(full, true, false, false, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
			channel.queueBind(full, refusing, "orders.created");
		}
		RabbitConfig config = config().retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder().deadLetterExchange(refusing).build())
			.build();
		Queue<String> reasons = new ConcurrentLinkedQueue<>();
		RabbitClientMetrics metrics = new RabbitClientMetrics() {
			@Override
			public void parkingFailed(String reason) {
				reasons.add(reason);
			}
		};
		try (RabbitClient client = RabbitClient.builder("refused", config).metrics(metrics).build().connect()) {
			client.send("refused", SendOptions.messageId("refused-1")).get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
			long start = System.nanoTime();
			client.deadLetter(message).get(10, TimeUnit.SECONDS);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("held for the 1 s back-off")
				.isGreaterThanOrEqualTo(900);
			assertThat(reasons).containsExactly("nacked");
			assertThat(client.status().lastParkingFailure().reason()).contains("nacked", "queue full");
			RabbitMessage again = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(again.messageId()).isEqualTo("refused-1");
			client.ack(again);
		}
		assertThat(RabbitBroker.readyMessages(full)).isZero();
	}

	@Test
	void stopLeavesHeldMessagesToTheBrokerAndStartHoldsThemAgain() throws Exception {
		String nowhere = this.names.exchange("nowhere");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.exchangeDeclare(nowhere, "direct", true);
		}
		RabbitConfig config = config().retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder().deadLetterExchange(nowhere).build())
			.build();
		AtomicInteger invocations = new AtomicInteger();
		try (RabbitClient client = new RabbitClient("restart", config).connect()) {
			client.subscribe((message) -> {
				invocations.incrementAndGet();
				throw new IllegalStateException("always");
			});
			client.send("stuck").get(10, TimeUnit.SECONDS);
			// the third failure in a row is held for 10 s
			await().atMost(Duration.ofSeconds(10)).until(() -> invocations.get() >= 3);
			await().atMost(Duration.ofSeconds(2)).until(() -> client.status().deliveriesHeldUnparked() == 1);
			long start = System.nanoTime();
			client.stop();
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
				.as("stop does not wait out the back-off")
				.isLessThan(5000);
			assertThat(client.status().deliveriesHeldUnparked()).isZero();
			// the broker's truth: back in the queue once the consumer's channel closed
			await().atMost(Duration.ofSeconds(5)).until(() -> RabbitBroker.readyMessages(config.queueName()) == 1);

			int beforeStart = invocations.get();
			client.start();
			await().atMost(Duration.ofSeconds(10)).until(() -> invocations.get() > beforeStart);
			// held again for its back-off, not left unacked for good
			await().atMost(Duration.ofSeconds(2)).until(() -> client.status().deliveriesHeldUnparked() == 1);
		}
		assertThat(RabbitBroker.readyMessages(config.queueName())).isEqualTo(1);
	}

}
