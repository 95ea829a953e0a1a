package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Coalesced acks ({@link AckCoalescing}) against the real broker: what the broker holds
 * unacked is read from its queue process ({@code rabbitmqctl list_queues}, no statistics
 * delay), and what a lost connection redelivers is counted message by message.
 */
class AckCoalescingTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig config(String queue, int prefetch, int maxMessages, Duration maxDelay) {
		return RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.prefetchCount(prefetch)
			.ackCoalescing(AckCoalescing.of(maxMessages, maxDelay))
			.build();
	}

	@Test
	void acksAreSentInRunsOfTheBatchSizeAndALostConnectionRedeliversOnlyWhatWasHeld() throws Exception {
		String stream = this.names.stream("batch");
		try (RabbitClient client = new RabbitClient(stream, config(stream, 50, 10, Duration.ofMinutes(1))).connect()) {
			List<RabbitMessage> received = sendAndReceive(client, 30);
			for (RabbitMessage message : received.subList(0, 25)) {
				client.ack(message);
			}
			// two runs of 10 sent; 5 acks held (the delay is a minute), 5 never acked
			await().atMost(Duration.ofSeconds(10)).until(() -> unacked(stream) == 10);

			await().atMost(Duration.ofSeconds(10))
				.until(() -> RabbitBroker.management().connectionNames().contains(stream));
			assertThat(RabbitBroker.management().closeConnections(stream)).isPositive();

			// the consumer comes back and gets exactly the 10 the broker still had
			Set<String> redelivered = new HashSet<>();
			Optional<RabbitMessage> next;
			while ((next = client.receive(Duration.ofSeconds(10))).isPresent()) {
				assertThat(next.get().redelivered()).as("redelivered flag of %s", next.get().text()).isTrue();
				redelivered.add(next.get().text());
				client.ack(next.get());
				if (redelivered.size() == 10) {
					break;
				}
			}
			assertThat(redelivered).containsExactlyInAnyOrderElementsOf(texts(20, 30));
			assertThat(client.receive(Duration.ofSeconds(1))).as("nothing else came back").isEmpty();
		}
		assertThat(RabbitBroker.readyMessages(stream)).as("close sent the held acks").isZero();
	}

	@Test
	void heldAcksAreSentOnceTheMaxDelayHasPassed() throws Exception {
		String stream = this.names.stream("delay");
		try (RabbitClient client = new RabbitClient(stream, config(stream, 50, 100, Duration.ofSeconds(5))).connect()) {
			List<RabbitMessage> received = sendAndReceive(client, 5);
			received.forEach(client::ack);
			long acked = System.nanoTime();
			assertThat(unacked(stream)).as("held: fewer than the batch size").isEqualTo(5);
			await().atMost(Duration.ofSeconds(10)).until(() -> unacked(stream) == 0);
			assertThat(Duration.ofNanos(System.nanoTime() - acked)).as("not sent before 3/4 of the max delay")
				.isGreaterThanOrEqualTo(Duration.ofMillis(3750));
			assertThat(RabbitBroker.readyMessages(stream)).isZero();
		}
	}

	@Test
	void anAckNeverCoversAMessageTheApplicationStillHolds() throws Exception {
		String stream = this.names.stream("order");
		try (RabbitClient client = new RabbitClient(stream, config(stream, 50, 2, Duration.ofSeconds(2))).connect()) {
			List<RabbitMessage> received = sendAndReceive(client, 3);
			// the batch is full, but the first message is still held: no multiple ack
			client.ack(received.get(2));
			client.ack(received.get(1));
			// after the delay, the two are acked one by one; the first stays unacked
			await().atMost(Duration.ofSeconds(10)).until(() -> unacked(stream) == 1);
			assertThat(RabbitBroker.readyMessages(stream)).isZero();
		}
		// closing without acking it: the broker has it again, and only it
		assertThat(RabbitBroker.readyMessages(stream)).isEqualTo(1);
		try (RabbitClient reader = new RabbitClient(stream, config(stream, 1, 1, Duration.ofMillis(20))).connect()) {
			Optional<RabbitMessage> left = reader.receive(Duration.ofSeconds(10));
			assertThat(left).map(RabbitMessage::text).contains("m-0");
			reader.ack(left.get());
		}
	}

	@Test
	void closeSendsTheHeldAcksBeforeTheChannelsClose() throws Exception {
		String stream = this.names.stream("close");
		try (RabbitClient client = new RabbitClient(stream, config(stream, 50, 100, Duration.ofMinutes(1))).connect()) {
			List<RabbitMessage> received = sendAndReceive(client, 10);
			received.subList(0, 7).forEach(client::ack);
			assertThat(unacked(stream)).isEqualTo(10);
		}
		assertThat(RabbitBroker.readyMessages(stream)).as("only the 3 never acked are back").isEqualTo(3);
	}

	@Test
	void retriesAndNacksInterleavedWithCoalescedAcksLoseNothing() throws Exception {
		String stream = this.names.stream("mixed");
		RabbitConfig config = config(stream, 40, 16, Duration.ofMillis(50)).toBuilder()
			.concurrency(2)
			.retry(RetryPolicy.builder()
				.maxAttempts(2)
				.initialInterval(Duration.ofMillis(100))
				.multiplier(1.0)
				.maxInterval(Duration.ofMillis(100))
				.build())
			.build();
		int count = 500;
		ConcurrentHashMap<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
		Set<String> done = ConcurrentHashMap.newKeySet();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			client.subscribe((message) -> {
				String text = message.text();
				int attempt = attempts.computeIfAbsent(text, (key) -> new AtomicInteger()).incrementAndGet();
				int n = Integer.parseInt(text.substring(2));
				if (n % 10 == 0 && attempt == 1) {
					throw new IllegalStateException("fails once: " + text);
				}
				if (n % 10 == 5 && attempt == 1) {
					client.nack(message);
					return;
				}
				done.add(text);
			});
			for (int i = 0; i < count; i++) {
				client.send("m-" + i).get(10, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == count);
			await().atMost(Duration.ofSeconds(10)).until(() -> unacked(stream) == 0);
			assertThat(RabbitBroker.readyMessages(stream)).isZero();
		}
		assertThat(done).containsExactlyInAnyOrderElementsOf(texts(0, count));
		assertThat(attempts.entrySet()).allSatisfy((entry) -> {
			int n = Integer.parseInt(entry.getKey().substring(2));
			assertThat(entry.getValue().get()).as(entry.getKey()).isEqualTo((n % 5 == 0) ? 2 : 1);
		});
		assertThat(RabbitBroker.readyMessages(stream)).isZero();
		assertThat(RabbitBroker.readyMessages(stream + ".dlq")).isZero();
	}

	private static List<RabbitMessage> sendAndReceive(RabbitClient client, int count) throws Exception {
		// receive first, so the consumer runs before the messages arrive
		assertThat(client.receive(Duration.ofMillis(100))).isEmpty();
		for (int i = 0; i < count; i++) {
			client.send("m-" + i).get(10, TimeUnit.SECONDS);
		}
		List<RabbitMessage> received = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Optional<RabbitMessage> message = client.receive(Duration.ofSeconds(10));
			assertThat(message).as("message %d of %d", i, count).isPresent();
			received.add(message.get());
		}
		assertThat(received).extracting(RabbitMessage::text).containsExactlyElementsOf(texts(0, count));
		return received;
	}

	private static List<String> texts(int from, int to) {
		List<String> texts = new ArrayList<>();
		for (int i = from; i < to; i++) {
			texts.add("m-" + i);
		}
		return texts;
	}

	/** Unacked messages of a queue, from its queue process: no statistics delay. */
	private static long unacked(String queue) {
		for (String line : BrokerControl.rabbitmqctl("list_queues", "name", "messages_unacknowledged").split("\n")) {
			String[] fields = line.trim().split("\\s+");
			if (fields.length == 2 && fields[0].equals(queue)) {
				return Long.parseLong(fields[1]);
			}
		}
		throw new IllegalStateException("No queue " + queue + " on the broker");
	}

}
