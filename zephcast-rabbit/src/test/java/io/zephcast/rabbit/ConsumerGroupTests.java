package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestProtocol;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer groups: several consumers share one queue and each message goes to exactly one
 * of them. Both forms: separate clients, and one client with concurrency 3.
 */
class ConsumerGroupTests {

	private static final int MESSAGES = 300;

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config(String queue) {
		return TestProtocol.config().queueName(queue);
	}

	@Test
	void threeClientsOnOneQueueEachGetDistinctMessages() throws Exception {
		String queue = this.names.queue("group");
		List<RabbitClient> members = new ArrayList<>();
		ExecutorService threads = Executors.newFixedThreadPool(3);
		Map<String, String> processedBy = new ConcurrentHashMap<>();
		AtomicInteger duplicates = new AtomicInteger();
		try (RabbitClient publisher = new RabbitClient("publisher", config(queue).build()).connect()) {
			for (int i = 0; i < 3; i++) {
				members.add(new RabbitClient("member-" + i, config(queue).build()).connect());
			}
			List<Future<?>> loops = new ArrayList<>();
			for (RabbitClient member : members) {
				member.receive(Duration.ZERO);
				loops.add(threads.submit(() -> {
					for (RabbitMessage message : member) {
						if (processedBy.putIfAbsent(message.text(), member.streamName()) != null) {
							duplicates.incrementAndGet();
						}
						member.ack(message);
					}
				}));
			}
			await().atMost(Duration.ofSeconds(15)).until(() -> RabbitBroker.consumers(queue) == 3);

			sendAll(publisher);

			await().atMost(Duration.ofSeconds(30)).until(() -> processedBy.size() == MESSAGES);
			members.forEach(RabbitClient::close);
			for (Future<?> loop : loops) {
				loop.get(10, TimeUnit.SECONDS);
			}
		}
		finally {
			members.forEach(RabbitClient::close);
			threads.shutdownNow();
		}
		assertThat(duplicates).hasValue(0);
		assertThat(processedBy.values()).as("every member got some").contains("member-0", "member-1", "member-2");
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void oneClientWithConcurrencyThreeRunsThreeConsumers() throws Exception {
		String queue = this.names.queue("concurrency");
		Map<String, String> consumerOf = new ConcurrentHashMap<>();
		try (RabbitClient publisher = new RabbitClient("publisher", config(queue).build()).connect();
				RabbitClient group = new RabbitClient("group", config(queue).concurrency(3).build()).connect()) {
			group.receive(Duration.ZERO);
			await().atMost(Duration.ofSeconds(15)).until(() -> RabbitBroker.consumers(queue) == 3);
			sendAll(publisher);
			for (int i = 0; i < MESSAGES; i++) {
				RabbitMessage message = group.receive().get(10, TimeUnit.SECONDS);
				assertThat(consumerOf.put(message.text(), message.consumerTag())).as("delivered once").isNull();
				group.ack(message);
			}
			assertThat(group.receive(Duration.ofMillis(300))).isEmpty();
		}
		assertThat(consumerOf).hasSize(MESSAGES);
		assertThat(Set.copyOf(consumerOf.values())).as("each of the three consumers got some").hasSize(3);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aHandlerWithConcurrencyThreeProcessesThreeAtOnceAndEachMessageOnce() throws Exception {
		String queue = this.names.queue("handler");
		CountDownLatch threeInFlight = new CountDownLatch(3);
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		Map<String, String> consumerOf = new ConcurrentHashMap<>();
		AtomicInteger duplicates = new AtomicInteger();
		AtomicInteger notThreeAtOnce = new AtomicInteger();
		try (RabbitClient publisher = new RabbitClient("publisher", config(queue).build()).connect();
				RabbitClient group = new RabbitClient("group", config(queue).concurrency(3).build()).connect()) {
			group.subscribe((message) -> {
				int now = concurrent.incrementAndGet();
				maxConcurrent.accumulateAndGet(now, Math::max);
				try {
					threeInFlight.countDown();
					// the first three wait for each other: only possible if three run at
					// once (recorded here, asserted on the test thread: the client
					// catches
					// what a handler throws)
					if (!threeInFlight.await(10, TimeUnit.SECONDS)) {
						notThreeAtOnce.incrementAndGet();
					}
					if (consumerOf.putIfAbsent(message.text(), message.consumerTag()) != null) {
						duplicates.incrementAndGet();
					}
				}
				finally {
					concurrent.decrementAndGet();
				}
			});
			await().atMost(Duration.ofSeconds(15)).until(() -> RabbitBroker.consumers(queue) == 3);
			sendAll(publisher);
			await().atMost(Duration.ofSeconds(30)).until(() -> consumerOf.size() == MESSAGES);
		}
		assertThat(notThreeAtOnce).as("handlers that waited in vain for three at once").hasValue(0);
		assertThat(duplicates).hasValue(0);
		assertThat(maxConcurrent.get()).isEqualTo(3);
		assertThat(Set.copyOf(consumerOf.values())).hasSize(3);
		await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(queue) == 0);
	}

	@Test
	void aHandlerThatThrowsHasTheMessageRetriedLater() throws Exception {
		String queue = this.names.queue("failing");
		List<Integer> deliveries = new ArrayList<>();
		CountDownLatch succeeded = new CountDownLatch(1);
		try (RabbitClient client = new RabbitClient("failing", config(queue).build()).connect()) {
			client.subscribe((message) -> {
				synchronized (deliveries) {
					deliveries.add(message.deliveryAttempt());
				}
				if (message.deliveryAttempt() == 1) {
					throw new IllegalStateException("first attempt fails");
				}
				succeeded.countDown();
			});
			client.send("flaky").get(10, TimeUnit.SECONDS);
			assertThat(succeeded.await(10, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(deliveries).containsExactly(1, 2);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aHandlerThatThrowsAnErrorDoesNotTakeTheApplicationDown() throws Exception {
		String queue = this.names.queue("error");
		CountDownLatch succeeded = new CountDownLatch(1);
		try (RabbitClient client = new RabbitClient("error", config(queue).build()).connect()) {
			client.subscribe((message) -> {
				if (message.deliveryAttempt() == 1) {
					// Spring AMQP would exit the JVM for an Error escaping a listener; a
					// handler's bug must not
					throw new AssertionError("handler bug");
				}
				succeeded.countDown();
			});
			client.send("survives").get(10, TimeUnit.SECONDS);
			assertThat(succeeded.await(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void iterationAndAHandlerCannotBeMixed() {
		String queue = this.names.queue("mixed");
		try (RabbitClient client = new RabbitClient("mixed", config(queue).build()).connect()) {
			client.subscribe((message) -> {
			});
			org.assertj.core.api.Assertions.assertThatIllegalStateException()
				.isThrownBy(() -> client.receive(Duration.ZERO))
				.withMessageContaining("handler");
		}
	}

	private static void sendAll(RabbitClient publisher) throws Exception {
		CompletableFuture<?>[] sends = new CompletableFuture<?>[MESSAGES];
		for (int i = 0; i < MESSAGES; i++) {
			sends[i] = publisher.send("m-" + i);
		}
		CompletableFuture.allOf(sends).get(30, TimeUnit.SECONDS);
	}

}
