package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A caller that gives up on a {@code receive()}: however it gives up, the next message
 * goes to the next receive, and nothing piles up while the queue is idle. At prefetch 1 a
 * message stranded in an abandoned future would stall the client until it closes.
 */
class ReceiveEdgeTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	/** The ways an application gives up on a receive. */
	enum GiveUp {

		TIMED_GET((pull) -> assertThatExceptionOfType(TimeoutException.class)
			.isThrownBy(() -> pull.get(300, TimeUnit.MILLISECONDS))),

		OR_TIMEOUT((pull) -> assertThatExceptionOfType(CompletionException.class)
			.isThrownBy(() -> pull.orTimeout(100, TimeUnit.MILLISECONDS).join())
			.withCauseInstanceOf(TimeoutException.class)),

		COMPLETE_ON_TIMEOUT(
				(pull) -> assertThat(pull.completeOnTimeout(null, 100, TimeUnit.MILLISECONDS).join()).isNull()),

		CANCEL((pull) -> assertThat(pull.cancel(true)).isTrue()),

		INTERRUPTED_GET((pull) -> {
			Thread.currentThread().interrupt();
			assertThatExceptionOfType(InterruptedException.class).isThrownBy(pull::get);
		});

		private final Consumer<CompletableFuture<RabbitMessage>> giveUp;

		GiveUp(Consumer<CompletableFuture<RabbitMessage>> giveUp) {
			this.giveUp = giveUp;
		}

	}

	private RabbitConfig config(String queue) {
		return RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.prefetchCount(1)
			.shutdownTimeout(Duration.ofSeconds(2))
			.build();
	}

	@ParameterizedTest
	@EnumSource(GiveUp.class)
	void aReceiveGivenUpOnTakesNoMessageAndTheNextReceiveGetsIt(GiveUp way) throws Exception {
		String queue = this.names.queue("gave-up");
		try (RabbitClient client = new RabbitClient("gave-up", config(queue)).connect()) {
			way.giveUp.accept(client.receive());
			client.send("a").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(5, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("a");
			client.ack(message);
			client.send("b").get(10, TimeUnit.SECONDS);
			RabbitMessage next = client.receive().get(5, TimeUnit.SECONDS);
			assertThat(next.text()).isEqualTo("b");
			client.ack(next);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void afterATimedOutReceiveTheSynchronousPullAndTheIteratorGetTheNextMessages() throws Exception {
		String queue = this.names.queue("then-sync");
		try (RabbitClient client = new RabbitClient("then-sync", config(queue)).connect()) {
			GiveUp.TIMED_GET.giveUp.accept(client.receive());
			client.send("pulled").get(10, TimeUnit.SECONDS);
			RabbitMessage pulled = client.receive(Duration.ofSeconds(5)).orElseThrow();
			assertThat(pulled.text()).isEqualTo("pulled");
			client.ack(pulled);

			GiveUp.TIMED_GET.giveUp.accept(client.receive());
			client.send("iterated").get(10, TimeUnit.SECONDS);
			Iterator<RabbitMessage> iterator = client.iterator();
			CompletableFuture<RabbitMessage> iterated = CompletableFuture.supplyAsync(iterator::next);
			RabbitMessage message = iterated.get(5, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("iterated");
			client.ack(message);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aTimedOutReceiveThatRacesADeliveryLosesNothing() throws Exception {
		String queue = this.names.queue("race");
		int count = 300;
		try (RabbitClient client = new RabbitClient("race", config(queue)).connect()) {
			List<CompletableFuture<Void>> sends = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				sends.add(client.send("m" + i));
			}
			CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
			// timeouts short enough to race the deliveries: a message completed into a
			// future whose get gave up would be stranded, and at prefetch 1 stall the
			// rest
			Set<String> received = new HashSet<>();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (received.size() < count && System.nanoTime() < deadline) {
				try {
					RabbitMessage message = client.receive().get(200, TimeUnit.MICROSECONDS);
					assertThat(received.add(message.text())).as("delivered once: " + message.text()).isTrue();
					client.ack(message);
				}
				catch (TimeoutException ex) {
					// given up: the next receive gets the message
				}
			}
			assertThat(received).hasSize(count);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void receivesGivenUpOnAnIdleQueueDoNotPileUp() throws Exception {
		String queue = this.names.queue("idle");
		try (RabbitClient client = new RabbitClient("idle", config(queue)).connect()) {
			for (int i = 0; i < 10_000; i++) {
				CompletableFuture<RabbitMessage> pull = client.receive();
				switch (i % 3) {
					case 0 -> pull.cancel(false);
					case 1 -> assertThatExceptionOfType(TimeoutException.class)
						.isThrownBy(() -> pull.get(1, TimeUnit.NANOSECONDS));
					default -> pull.completeOnTimeout(null, 0, TimeUnit.MILLISECONDS).join();
				}
			}
			assertThat(((ClientStatus) client.status()).receivesWaiting())
				.isLessThanOrEqualTo(DeliveryQueue.MIN_PURGE_AT);
			CompletableFuture<RabbitMessage> live = client.receive();
			client.send("still delivered").get(10, TimeUnit.SECONDS);
			RabbitMessage message = live.get(5, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("still delivered");
			client.ack(message);
		}
	}

	@Test
	void severalReceivesWaitingAtOnceEachGetAMessageInOrder() throws Exception {
		String queue = this.names.queue("pipelined");
		try (RabbitClient client = new RabbitClient("pipelined",
				RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).prefetchCount(10).build())
			.connect()) {
			List<CompletableFuture<RabbitMessage>> pulls = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				pulls.add(client.receive());
			}
			// one given up on among them is skipped, not handed a message
			pulls.get(1).cancel(false);
			for (int i = 0; i < 4; i++) {
				client.send("m" + i).get(10, TimeUnit.SECONDS);
			}
			List<String> texts = new ArrayList<>();
			for (int i : new int[] { 0, 2, 3, 4 }) {
				RabbitMessage message = pulls.get(i).get(5, TimeUnit.SECONDS);
				texts.add(message.text());
				client.ack(message);
			}
			assertThat(texts).containsExactly("m0", "m1", "m2", "m3");
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aTimedOutGetCancelsTheReceiveAndAFreshReceiveWaitsAgain() throws Exception {
		String queue = this.names.queue("again");
		try (RabbitClient client = new RabbitClient("again", config(queue)).connect()) {
			CompletableFuture<RabbitMessage> pull = client.receive();
			GiveUp.TIMED_GET.giveUp.accept(pull);
			assertThat(pull).isCancelled();
			assertThatExceptionOfType(CancellationException.class).isThrownBy(pull::join);
			CompletableFuture<RabbitMessage> again = client.receive();
			client.send("x").get(10, TimeUnit.SECONDS);
			client.ack(again.get(5, TimeUnit.SECONDS));
		}
	}

	@Test
	void aMessageInAReceiveNobodyReadsGoesBackToTheQueueWhenTheClientCloses() throws Exception {
		String queue = this.names.queue("unread");
		CompletableFuture<RabbitMessage> unread;
		try (RabbitClient client = new RabbitClient("unread", config(queue)).connect()) {
			unread = client.receive();
			client.send("unread").get(10, TimeUnit.SECONDS);
			// indistinguishable from a slow reader: the message is handed to it
			await().atMost(Duration.ofSeconds(5)).until(unread::isDone);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
	}

}
