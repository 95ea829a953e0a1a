package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The prefetch bounds what an AMQP 1.0 consumption holds unsettled, as the broker counts
 * it ({@code messages_unacknowledged}): at most {@code prefetch x concurrency}, for a
 * puller that settles later on another thread and for a slow handler, while the queue
 * holds many times more.
 */
class Amqp10PrefetchBoundTests {

	private static final int CONCURRENCY = 2;

	/** Long enough for the management statistics (every 5 s) to see the steady state. */
	private static final Duration RUN = Duration.ofSeconds(7);

	private Amqp10TestBroker broker;

	private final ScheduledExecutorService settler = Executors.newScheduledThreadPool(2);

	private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

	@BeforeEach
	void connect() {
		this.broker = new Amqp10TestBroker();
	}

	@AfterEach
	void close() {
		this.sampler.shutdownNow();
		this.settler.shutdownNow();
		this.broker.close();
	}

	@ParameterizedTest(name = "prefetch {0}")
	@CsvSource({ "1, 20", "10, 50", "250, 500" })
	void aPullerThatSettlesLaterOnAnotherThreadHoldsAtMostThePrefetch(int prefetch, long settleAfterMillis)
			throws Exception {
		int bound = prefetch * CONCURRENCY;
		int count = messagesFor(bound, settleAfterMillis);
		String queue = this.broker.queue("-bound-pull-" + prefetch);
		this.broker.publish(queue, count);
		AtomicLong settled = new AtomicLong();
		Sampled sampled = sample(queue, count, settled);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(prefetch).concurrency(CONCURRENCY).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		long deadline = System.nanoTime() + RUN.toNanos() + TimeUnit.SECONDS.toNanos(30);
		for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
			Optional<RabbitMessage> next = consumption.poll(Duration.ofSeconds(10));
			if (next.isEmpty()) {
				break;
			}
			RabbitMessage message = next.get();
			this.settler.schedule(() -> {
				settled.incrementAndGet();
				consumption.ack(message);
			}, settleAfterMillis, TimeUnit.MILLISECONDS);
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> settled.get() == count);
		assertBound(sampled, bound);
	}

	@ParameterizedTest(name = "prefetch {0}")
	@CsvSource({ "1, 20", "10, 10", "250, 5" })
	void aSlowHandlerHoldsAtMostThePrefetch(int prefetch, long handleMillis) throws Exception {
		int bound = prefetch * CONCURRENCY;
		// a link handles one message at a time
		int count = (int) (CONCURRENCY * RUN.toMillis() / handleMillis);
		String queue = this.broker.queue("-bound-push-" + prefetch);
		this.broker.publish(queue, count);
		AtomicLong settled = new AtomicLong();
		Sampled sampled = sample(queue, count, settled);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(prefetch).concurrency(CONCURRENCY).build());
		// a slow handler: each link's handler may finish one message per handleMillis, as
		// the settler paces a puller's settlements above
		Semaphore finishes = new Semaphore(0);
		this.settler.scheduleAtFixedRate(() -> finishes.release(CONCURRENCY), handleMillis, handleMillis,
				TimeUnit.MILLISECONDS);
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PUSH, (message) -> {
			finishes.acquire();
			// counted before the consumption acks it on return
			settled.incrementAndGet();
		});
		await().atMost(RUN.plusSeconds(30)).until(() -> settled.get() == count);
		assertBound(sampled, bound);
	}

	/** Enough messages that the run lasts {@link #RUN} if the bound holds. */
	private static int messagesFor(int bound, long settleAfterMillis) {
		return (int) (bound * RUN.toMillis() / settleAfterMillis);
	}

	private void assertBound(Sampled sampled, int bound) {
		System.out.println("prefetch bound " + bound + ": most messages_unacknowledged " + sampled.mostUnacknowledged
				+ " (" + sampled.managementSamples + " samples), most held live " + sampled.mostHeldLive);
		assertThat(sampled.managementSamples.get()).as("management samples").isGreaterThan(0);
		assertThat(sampled.mostUnacknowledged.get()).as("most messages_unacknowledged (management)")
			.isLessThanOrEqualTo(bound);
		assertThat(sampled.mostHeldLive.get()).as("most held (published - ready - settled, live)")
			.isLessThanOrEqualTo(bound);
		// the consumption did use its prefetch
		assertThat(sampled.mostHeldLive.get()).as("most held (live)").isGreaterThanOrEqualTo(Math.max(1, bound / 2));
	}

	/**
	 * Samples what the broker counts unacknowledged: by management (updated every 5 s),
	 * and live, as what was published less what is ready less what was settled (counted
	 * before the settlement is sent, and read after the ready count, so the live figure
	 * is never above the broker's: it is there to catch a client that draws in the queue,
	 * as a client without a bound does within the first samples).
	 */
	private Sampled sample(String queue, int published, AtomicLong settled) {
		Sampled sampled = new Sampled();
		AtomicLong ticks = new AtomicLong();
		this.sampler.scheduleWithFixedDelay(() -> {
			try {
				long ready = this.broker.management.queueInfo(queue).messageCount();
				long settledAfter = settled.get();
				sampled.mostHeldLive.accumulateAndGet(published - settledAfter - ready, Math::max);
				if (ticks.incrementAndGet() % 10 == 0) {
					long unacked = RabbitBroker.management()
						.queue(queue)
						.orElseThrow()
						.path("messages_unacknowledged")
						.asLong(0);
					sampled.mostUnacknowledged.accumulateAndGet(unacked, Math::max);
					sampled.managementSamples.incrementAndGet();
				}
			}
			catch (RuntimeException ex) {
				// the queue is gone at the end
			}
		}, 0, 50, TimeUnit.MILLISECONDS);
		return sampled;
	}

	private static final class Sampled {

		final AtomicLong mostUnacknowledged = new AtomicLong();

		final AtomicLong mostHeldLive = new AtomicLong();

		final AtomicLong managementSamples = new AtomicLong();

	}

}
