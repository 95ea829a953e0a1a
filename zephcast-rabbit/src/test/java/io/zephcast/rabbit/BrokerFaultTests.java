package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.internal.RabbitTopology;
import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the broker itself, injected with {@code rabbitmqctl}: a restart of the
 * RabbitMQ application (also while messages wait out their retry back-off) and a memory
 * alarm that blocks publishers.
 */
class BrokerFaultTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void theClientRidesOutABrokerRestart() throws Exception {
		String queue = this.names.queue("restart");
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		LinkedBlockingQueue<RabbitMessage> handled = new LinkedBlockingQueue<>();
		try (RabbitClient consumer = new RabbitClient("restart-consumer", config).connect();
				RabbitClient publisher = new RabbitClient("restart-publisher", config).connect()) {
			consumer.subscribe(handled::add);
			publisher.send("before").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS).text()).isEqualTo("before");

			BrokerControl.stopApp();
			try {
				CompletableFuture<Void> whileDown = publisher.send("while down");
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> whileDown.get(15, TimeUnit.SECONDS))
					.havingCause()
					.isInstanceOf(SendFailedException.class);
			}
			finally {
				BrokerControl.startApp();
			}

			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
				publisher.send("after").get(5, TimeUnit.SECONDS);
				return true;
			});
			RabbitMessage after = handled.poll(30, TimeUnit.SECONDS);
			assertThat(after).as("the consumer came back by itself").isNotNull();
			assertThat(after.text()).isEqualTo("after");
		}
	}

	@Test
	void messagesWaitingInBackOffAreAllRetriedAfterABrokerRestart() throws Exception {
		int messages = 20;
		RetryPolicy policy = RetryPolicy.builder().maxAttempts(3).initialInterval(Duration.ofSeconds(10)).build();
		Map<QueueType, Map<String, List<Integer>>> attempts = new EnumMap<>(QueueType.class);
		List<RabbitClient> clients = new ArrayList<>();
		try {
			for (QueueType type : QueueType.values()) {
				Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
				attempts.put(type, seen);
				RabbitConfig config = RabbitConfig.builder()
					.url(RabbitBroker.url())
					.queueName(this.names.queue("backoff-" + type))
					.queueType(type)
					.retry(policy)
					.build();
				RabbitClient client = new RabbitClient("backoff-" + type, config).connect();
				clients.add(client);
				client.subscribe((message) -> {
					seen.computeIfAbsent(message.text(), (text) -> new CopyOnWriteArrayList<>())
						.add(message.deliveryAttempt());
					if (message.deliveryAttempt() == 1) {
						throw new IllegalStateException("fails the first time");
					}
				});
				for (int i = 0; i < messages; i++) {
					client.send(type + "-" + i).get(10, TimeUnit.SECONDS);
				}
				String waitQueue = RabbitTopology.of(client.streamName(), client.config())
					.retryQueues()
					.waitQueueName(Duration.ofSeconds(10));
				await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(waitQueue) == messages);
			}

			assertThat(attempts.values()).as("all still waiting when the broker stops")
				.allSatisfy(
						(seen) -> assertThat(seen.values()).allSatisfy((list) -> assertThat(list).containsExactly(1)));
			BrokerControl.stopApp();
			BrokerControl.startApp();

			for (QueueType type : QueueType.values()) {
				Map<String, List<Integer>> seen = attempts.get(type);
				await().atMost(Duration.ofSeconds(60))
					.until(() -> seen.values().stream().filter((list) -> list.contains(2)).count() == messages);
			}
		}
		finally {
			clients.forEach(RabbitClient::close);
		}
		for (QueueType type : QueueType.values()) {
			assertThat(attempts.get(type)).as(type + ": every message waited out its back-off and came again")
				.hasSize(messages)
				.allSatisfy((text, list) -> assertThat(list).containsExactly(1, 2));
		}
	}

	@Test
	void whileTheBrokerBlocksPublishingSendsFailAtOnceAndNeverHang() throws Exception {
		String queue = this.names.queue("blocked");
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		try (RabbitClient client = new RabbitClient("blocked", config).connect()) {
			client.send("warm-up").get(10, TimeUnit.SECONDS);
			CompletableFuture<Void> firstBlocked;
			BrokerControl.raiseMemoryAlarm();
			try {
				// the broker blocks a connection when it next publishes, and says so
				firstBlocked = client.send("written before the block was known");
				await().atMost(Duration.ofSeconds(20)).until(() -> {
					CompletableFuture<Void> probe = client.send("probe");
					return probe.handle((sent, failure) -> failure).getNow(null) instanceof BrokerBlockedException;
				});
				assertThat(client.send("refused")).isCompletedExceptionally()
					.failsWithin(Duration.ZERO)
					.withThrowableThat()
					.havingCause()
					.isInstanceOf(BrokerBlockedException.class)
					.withMessageContaining("blocks publishing");
			}
			finally {
				BrokerControl.clearMemoryAlarm();
			}
			assertThat(firstBlocked).as("confirmed once the broker unblocks").succeedsWithin(Duration.ofSeconds(20));
			await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
				client.send("unblocked").get(5, TimeUnit.SECONDS);
				return true;
			});
		}
	}

}
