package io.zephcast.rabbit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.internal.RabbitTopology;
import io.zephcast.rabbit.internal.RetryQueues;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestProtocol;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Poison messages on classic and quorum queues: a message whose handling fails is
 * delivered exactly max-attempts times at the policy's spacing, waiting in the broker
 * (not in a consumer) in between, then lands in the dead letters with its reason.
 */
class PoisonMessageTests {

	private static final RetryPolicy POLICY = RetryPolicy.builder()
		.maxAttempts(3)
		.initialInterval(Duration.ofSeconds(1))
		.multiplier(2)
		.build();

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config(QueueType type) {
		return TestProtocol.config()
			.exchangeName(this.names.exchange("orders"))
			.exchangeType(ExchangeType.TOPIC)
			.routingKey("orders.created")
			.queueName(this.names.queue("work"))
			.queueType(type)
			.retry(POLICY);
	}

	@ParameterizedTest
	@EnumSource(QueueType.class)
	void aHandlerThatAlwaysFailsGetsMaxAttemptsAtTheSpacingThenItsMessageIsDeadLettered(QueueType type)
			throws Exception {
		RabbitConfig config = config(type).build();
		Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
		Queue<Long> healthy = new ConcurrentLinkedQueue<>();
		try (RabbitClient client = new RabbitClient("poison", config).connect()) {
			client.subscribe((message) -> {
				if (message.text().equals("poison")) {
					attempts.add(new Attempt(System.nanoTime(), message.deliveryAttempt(), message.routingKey()));
					throw new IllegalStateException("cannot handle " + message.text());
				}
				healthy.add(System.nanoTime());
			});
			client.send("poison", SendOptions.messageId("poison-1").withHeader("tenant", "a"))
				.get(10, TimeUnit.SECONDS);
			client.send("healthy").get(10, TimeUnit.SECONDS);
			String deadLetters = config.queueName() + RetryQueues.DEAD_LETTER_SUFFIX;
			await().atMost(Duration.ofSeconds(20)).until(() -> RabbitBroker.readyMessages(deadLetters) == 1);

			List<Attempt> seen = new ArrayList<>(attempts);
			assertThat(seen).extracting(Attempt::number).containsExactly(1, 2, 3);
			assertThat(seen).extracting(Attempt::routingKey)
				.as("every attempt sees the key it was published with")
				.containsOnly("orders.created");
			assertThat(millisBetween(seen.get(0), seen.get(1))).as("wait after attempt 1")
				.isCloseTo(1000, within(200L));
			assertThat(millisBetween(seen.get(1), seen.get(2))).as("wait after attempt 2")
				.isCloseTo(2000, within(400L));
			assertThat(healthy).as("the healthy message did not wait behind the poison").hasSize(1);
			assertThat(healthy.peek()).isLessThan(seen.get(1).nanos());

			GetResponse deadLetter = get(deadLetters);
			assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("poison");
			assertThat(deadLetter.getProps().getMessageId()).isEqualTo("poison-1");
			assertThat(deadLetter.getProps().getDeliveryMode()).isEqualTo(2);
			Map<String, Object> headers = deadLetter.getProps().getHeaders();
			assertThat(headers.get("tenant")).hasToString("a");
			assertThat(headers.get(MessageHeaders.EXCEPTION)).hasToString(IllegalStateException.class.getName());
			assertThat(headers.get(MessageHeaders.EXCEPTION_MESSAGE)).hasToString("cannot handle poison");
			assertThat(headers).containsEntry(MessageHeaders.ATTEMPTS, 3L);
			assertThat(headers.get(MessageHeaders.DEAD_LETTER_REASON))
				.hasToString(MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
			assertThat(headers.get(MessageHeaders.ORIGINAL_EXCHANGE)).hasToString(config.exchangeName());
			assertThat(headers.get(MessageHeaders.ORIGINAL_ROUTING_KEY)).hasToString("orders.created");
			assertThat(Instant.parse(headers.get(MessageHeaders.FIRST_FAILURE).toString()))
				.isBeforeOrEqualTo(Instant.now());
			// waits nowhere any more, and was not delivered a fourth time
			assertThat(RabbitBroker.readyMessages(config.queueName())).isZero();
			for (var wait : RabbitTopology.of(client.streamName(), client.config()).retryQueues().waitQueues()) {
				assertThat(RabbitBroker.readyMessages(wait.getName())).as(wait.getName()).isZero();
			}
			assertThat(attempts).hasSize(3);
		}
	}

	@ParameterizedTest
	@EnumSource(QueueType.class)
	void pullStyleRetriesLaterRejectsAndNacks(QueueType type) throws Exception {
		RabbitConfig config = config(type).build();
		String deadLetters = config.queueName() + RetryQueues.DEAD_LETTER_SUFFIX;
		try (RabbitClient client = new RabbitClient("pull", config).connect()) {
			client.send("again").get(10, TimeUnit.SECONDS);
			List<Attempt> attempts = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
				attempts.add(new Attempt(System.nanoTime(), message.deliveryAttempt(), message.routingKey()));
				client.retryLater(message, new IllegalArgumentException("try " + i)).get(10, TimeUnit.SECONDS);
				assertThat(message.isSettled()).isTrue();
			}
			assertThat(attempts).extracting(Attempt::number).containsExactly(1, 2, 3);
			assertThat(millisBetween(attempts.get(0), attempts.get(1))).isCloseTo(1000, within(200L));
			assertThat(millisBetween(attempts.get(1), attempts.get(2))).isCloseTo(2000, within(400L));
			await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(deadLetters) == 1);
			assertThat(get(deadLetters).getProps().getHeaders().get(MessageHeaders.EXCEPTION_MESSAGE))
				.hasToString("try 2");

			client.send("requeued").get(10, TimeUnit.SECONDS);
			RabbitMessage first = client.receive(Duration.ofSeconds(10)).orElseThrow();
			client.nack(first);
			RabbitMessage again = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(again.text()).isEqualTo("requeued");
			assertThat(again.redelivered()).isTrue();
			// a classic queue does not count requeues; a quorum queue does
			assertThat(again.deliveryAttempt()).isEqualTo((type == QueueType.QUORUM) ? 2 : 1);

			client.deadLetter(again, new IllegalArgumentException("not for us")).get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(deadLetters) == 1);
			GetResponse rejected = get(deadLetters);
			assertThat(new String(rejected.getBody(), StandardCharsets.UTF_8)).isEqualTo("requeued");
			Map<String, Object> rejectedHeaders = rejected.getProps().getHeaders();
			assertThat(rejectedHeaders.get(MessageHeaders.DEAD_LETTER_REASON))
				.hasToString(MessageHeaders.REASON_REJECTED);
			assertThat(rejectedHeaders.get(MessageHeaders.EXCEPTION_MESSAGE)).hasToString("not for us");
		}
	}

	@Test
	void aQueueWithItsOwnDeadLetterExchangeGetsTheDeadLettersThereAndNoDeadLetterQueue() throws Exception {
		String deadLetterExchange = this.names.exchange("dlx");
		String parked = this.names.queue("parked");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.exchangeDeclare(deadLetterExchange, "direct", true);
			channel.queueDeclare(parked, true, false, false, null);
			channel.queueBind(parked, deadLetterExchange, "orders.parked");
		}
		RabbitConfig config = config(QueueType.CLASSIC).retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder()
				.deadLetterExchange(deadLetterExchange)
				.deadLetterRoutingKey("orders.parked")
				.build())
			.build();
		try (RabbitClient client = new RabbitClient("dlx", config).connect()) {
			client.subscribe((message) -> {
				throw new IllegalStateException("always");
			});
			client.send("to the dlx").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(parked) == 1);
		}
		GetResponse deadLetter = get(parked);
		assertThat(deadLetter.getProps().getHeaders()).containsEntry(MessageHeaders.ATTEMPTS, 1L);
		assertThat(RabbitTopology.of("dlx", config).retryQueues().deadLetterQueue()).isNull();
		assertThat(RabbitBroker.management().queue(config.queueName() + RetryQueues.DEAD_LETTER_SUFFIX)).isEmpty();
	}

	@Test
	void withTheDeadLetterQueueOffAndNoExchangeTheLastFailureDropsTheMessage() throws Exception {
		RabbitConfig config = config(QueueType.CLASSIC).retry(RetryPolicy.NONE).deadLetterQueue(false).build();
		Queue<Integer> attempts = new ConcurrentLinkedQueue<>();
		try (RabbitClient client = new RabbitClient("drop", config).connect()) {
			client.subscribe((message) -> {
				attempts.add(message.deliveryAttempt());
				throw new IllegalStateException("always");
			});
			client.send("dropped").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> !attempts.isEmpty());
			await().atMost(Duration.ofSeconds(10))
				.until(() -> RabbitBroker.management()
					.queue(config.queueName())
					.map((queue) -> queue.path("messages").asLong(-1) == 0)
					.orElse(false));
		}
		assertThat(attempts).containsExactly(1);
	}

	private static long millisBetween(Attempt first, Attempt second) {
		return TimeUnit.NANOSECONDS.toMillis(second.nanos() - first.nanos());
	}

	private static GetResponse get(String queue) throws IOException {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			GetResponse response = channel.basicGet(queue, true);
			assertThat(response).as("a message in " + queue).isNotNull();
			return response;
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new IOException(ex);
		}
	}

	record Attempt(long nanos, int number, String routingKey) {
	}

}
