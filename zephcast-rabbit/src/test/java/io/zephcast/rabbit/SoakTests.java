package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

import io.zephcast.test.BrokerControl;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once under fire: 50,000 messages (-Dzephcast.soak.messages) through a consumer
 * group of three while the broker closes every connection of the test five times and the
 * RabbitMQ application restarts once. The publisher resends what was not confirmed, as an
 * application must; in the end every message was processed, and every duplicate is
 * explained: redelivered by the broker (one of its copies flagged {@code redelivered}),
 * or a resent copy of a send whose confirm was lost.
 * <p>
 * The flagged copy is not always handled last. When the broker closes a connection it
 * requeues what that connection held unacked, and another consumer may handle the flagged
 * copy before the closed connection's client has read the close and stopped handing out
 * what it had buffered: that original, unflagged, comes second. A raw-client experiment
 * saw this in 57 of about 25 million deliveries over 272 kills (RabbitMQ 4.0.5), every
 * one the original handled 1-3 ms after its flagged copy, and no message come back
 * unflagged; it is the likely cause of the two duplicates a CI run could not explain
 * before this test counted them. A duplicate with no flagged copy and no resend would be
 * one the client made (a delivery handed out twice): it fails the test, with both copies'
 * traces and the faults' times.
 */
class SoakTests {

	private static final int MESSAGES = Integer.getInteger("zephcast.soak.messages", 50_000);

	/**
	 * New sends per second. Unpaced, the consumers took 50,000 messages in about 8 s
	 * while each fault waits seconds for the management API to list the new connections:
	 * the first fault came at 28,567 processed and the other five after the last message.
	 * Paced, every fault hits messages in flight.
	 */
	private static final int RATE = 1_000;

	/**
	 * Keeps the publisher busy through the whole run, so that the faults hit sends too.
	 */
	private static final int BACKLOG = 2_000;

	private static final String PREFIX = "zc-soak-";

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	@Test
	void everyMessageArrivesAtLeastOnceThroughConnectionKillsAndABrokerRestart() throws Exception {
		String queue = this.names.queue("soak");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.prefetchCount(50)
			.confirmTimeout(Duration.ofSeconds(10))
			.build();
		Ledger ledger = new Ledger(MESSAGES);
		List<RabbitClient> consumers = new ArrayList<>();
		long started = System.nanoTime();
		try (RabbitClient publisher = new RabbitClient(PREFIX + "publisher", config).connect()) {
			for (int i = 1; i <= 3; i++) {
				RabbitClient consumer = new RabbitClient(PREFIX + "consumer-" + i, config).connect();
				consumer.subscribe(ledger::processed);
				consumers.add(consumer);
			}
			SoakSender sender = new SoakSender(publisher, ledger, RATE);
			Thread sending = new Thread(sender::run, "soak-sender");
			sending.start();
			Supplier<String> state = () -> describe(ledger, queue, publisher, consumers, sender);

			int kills = 0;
			boolean restarted = false;
			double[] killAt = { 0.10, 0.25, 0.40, 0.65, 0.80 };
			for (double progress : killAt) {
				awaitOrExplain(Duration.ofMinutes(3), () -> ledger.processedIds.size() >= progress * MESSAGES, state);
				if (!restarted && progress >= 0.65) {
					ledger.fault();
					BrokerControl.stopApp();
					BrokerControl.startApp();
					restarted = true;
					awaitOrExplain(Duration.ofMinutes(1),
							() -> ledger.processedIds.size() < MESSAGES && this.broker.countConnections(PREFIX) >= 4
									|| ledger.processedIds.size() == MESSAGES,
							state);
				}
				await().atMost(Duration.ofMinutes(1)).until(() -> this.broker.countConnections(PREFIX) > 0);
				ledger.fault();
				assertThat(this.broker.closeConnections(PREFIX)).isPositive();
				kills++;
			}

			awaitOrExplain(Duration.ofMinutes(5),
					() -> ledger.confirmedIds.size() == MESSAGES && ledger.processedIds.size() == MESSAGES, state);
			sender.stop();
			sending.join(10_000);
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			consumers.forEach(RabbitClient::close);

			long lost = MESSAGES - ledger.processedIds.size();
			System.out
				.printf("%nzephcast soak: %,d messages, consumer group of 3, %d connection kills, %s broker restart, "
						+ "%.1f s%n", MESSAGES, kills, restarted ? "1" : "no", elapsedMillis / 1000.0);
			ledger.print(lost);

			assertThat(kills).isGreaterThanOrEqualTo(5);
			assertThat(restarted).isTrue();
			assertThat(ledger.faults).as("processed when each fault began: every one hit messages in flight")
				.allMatch((fault) -> fault.processed() < MESSAGES);
			assertThat(lost).isZero();
			assertThat(ledger.unexplainedDuplicates).as("duplicates neither redelivered nor resent").isEmpty();
			assertThat(ledger.duplicates.get())
				.isEqualTo(ledger.redeliveredDuplicates.get() + ledger.resentDuplicates.get());
		}
		finally {
			consumers.forEach(RabbitClient::close);
		}
	}

	/**
	 * Awaits the condition; on a timeout fails with the state (a CI run once timed out
	 * after the broker restart with no clue).
	 */
	private static void awaitOrExplain(Duration atMost, Callable<Boolean> condition, Supplier<String> state) {
		try {
			await().atMost(atMost).pollInterval(Duration.ofMillis(200)).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError(ex.getMessage() + state.get(), ex);
		}
	}

	/** What the ledger, the broker, each client and the sender say. */
	private String describe(Ledger ledger, String queue, RabbitClient publisher, List<RabbitClient> consumers,
			SoakSender sender) {
		StringBuilder state = new StringBuilder(String.format(
				"%n  processed %,d, confirmed %,d of %,d; queue ready %,d; faults at %s; connections listed %s",
				ledger.processedIds.size(), ledger.confirmedIds.size(), MESSAGES, RabbitBroker.readyMessages(queue),
				ledger.faults.stream().map(FaultStart::processed).toList(),
				this.broker.connectionNames().stream().filter((name) -> name.startsWith(PREFIX)).toList()));
		List<RabbitClient> clients = new ArrayList<>(consumers);
		clients.add(0, publisher);
		for (RabbitClient client : clients) {
			RabbitClientStatus status = client.status();
			state.append(String.format(
					"%n  %s: %s, consumers %d/%d (%s), sends in flight %d, last connection failure %s",
					status.streamName(), status.state(), status.consumersRunning(), status.consumersConfigured(),
					status.consumerFailure(), status.sendsInFlight(), status.lastConnectionFailure()));
		}
		return state.append(String.format("%n  sender: %s", sender.describe())).toString();
	}

	/** What happened to every message id. */
	static final class Ledger {

		/**
		 * Prints the counts, as both the soak and the cluster failover test report them.
		 */
		void print(long lost) {
			System.out.printf("  sent (publish attempts)    %,9d%n", this.attempts.get());
			System.out.printf("  confirmed                  %,9d%n", this.confirmedIds.size());
			System.out.printf("  failed and resent          %,9d%n", this.failed.get());
			System.out.printf("  processed (distinct ids)   %,9d%n", this.processedIds.size());
			System.out.printf("  deliveries                 %,9d%n", this.deliveries.get());
			System.out.printf(
					"  duplicates                 %,9d  (%,d redelivered by the broker, %,d of them after their "
							+ "flagged copy; %,d resent copies)%n",
					this.duplicates.get(), this.redeliveredDuplicates.get(), this.originalsAfterFlaggedCopies.get(),
					this.resentDuplicates.get());
			System.out.printf("  lost                       %,9d%n", lost);
			System.out.printf("  processed at each fault    %s%n%n",
					this.faults.stream().map(FaultStart::processed).toList());
		}

		final Set<Integer> confirmedIds = ConcurrentHashMap.newKeySet();

		final Set<Integer> processedIds = ConcurrentHashMap.newKeySet();

		final List<String> unexplainedDuplicates = new java.util.concurrent.CopyOnWriteArrayList<>();

		final AtomicLong attempts = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		final AtomicLong deliveries = new AtomicLong();

		final AtomicLong duplicates = new AtomicLong();

		final AtomicLong redeliveredDuplicates = new AtomicLong();

		final AtomicLong resentDuplicates = new AtomicLong();

		/**
		 * Redelivered duplicates that came unflagged after their flagged copy: originals
		 * that a client whose connection the broker had closed handed out late.
		 */
		final AtomicLong originalsAfterFlaggedCopies = new AtomicLong();

		/** Ids of which a copy flagged redelivered was processed. */
		private final Set<Integer> flaggedIds = ConcurrentHashMap.newKeySet();

		/** When each fault began, and how many ids were processed by then. */
		final List<FaultStart> faults = new java.util.concurrent.CopyOnWriteArrayList<>();

		/** How each id was first processed, for the trace of a duplicate. */
		private final AtomicReferenceArray<Copy> firstCopies;

		private final long origin = System.nanoTime();

		final AtomicInteger[] attemptsOf;

		final Semaphore backlog = new Semaphore(BACKLOG);

		final int total;

		Ledger(int total) {
			this.total = total;
			this.attemptsOf = new AtomicInteger[total];
			this.firstCopies = new AtomicReferenceArray<>(total);
			for (int i = 0; i < total; i++) {
				this.attemptsOf[i] = new AtomicInteger();
			}
		}

		/** A fault begins (connections closed, the broker restarted). */
		void fault() {
			this.faults.add(new FaultStart(System.nanoTime(), this.processedIds.size()));
		}

		void processed(RabbitMessage message) {
			int id = Integer.parseInt(message.text());
			this.deliveries.incrementAndGet();
			long now = System.nanoTime();
			if (message.redelivered()) {
				// before the id counts as processed: a copy that finds it processed finds
				// it flagged too
				this.flaggedIds.add(id);
			}
			if (this.processedIds.add(id)) {
				this.firstCopies.set(id, new Copy(message, now));
				this.backlog.release();
				return;
			}
			this.duplicates.incrementAndGet();
			if (message.redelivered()) {
				this.redeliveredDuplicates.incrementAndGet();
			}
			else if (this.attemptsOf[id].get() > 1) {
				// a copy of a message sent again after its confirm was lost; copies sent
				// on different connections
				// may reach the queue in either order, so this may be the first attempt
				// arriving last
				this.resentDuplicates.incrementAndGet();
			}
			else if (this.flaggedIds.contains(id)) {
				this.redeliveredDuplicates.incrementAndGet();
				this.originalsAfterFlaggedCopies.incrementAndGet();
			}
			else {
				this.unexplainedDuplicates.add(message.messageId() + ": first " + describe(this.firstCopies.get(id))
						+ ", then " + describe(new Copy(message, now)) + "; faults at "
						+ this.faults.stream().map((fault) -> millis(fault.nanos()) + " ms").toList());
			}
		}

		private String describe(@Nullable Copy copy) {
			// null while the first copy, processed at the same time, is not yet recorded
			return (copy != null) ? "attempt " + copy.attempt() + (copy.redelivered() ? " redelivered" : "") + " at "
					+ millis(copy.nanos()) + " ms on " + copy.thread() : "a copy processed at the same time";
		}

		private long millis(long nanos) {
			return TimeUnit.NANOSECONDS.toMillis(nanos - this.origin);
		}

	}

	/**
	 * A fault began at {@code nanos} ({@link System#nanoTime()}) with so many ids
	 * processed.
	 */
	record FaultStart(long nanos, int processed) {
	}

	/**
	 * One processed copy of a message: recorded on the consumer's thread as it is, and
	 * described only if it turns out to be a duplicate.
	 */
	record Copy(long nanos, String thread, boolean redelivered, @Nullable Object attempt) {

		Copy(RabbitMessage message, long nanos) {
			this(nanos, Thread.currentThread().getName(), message.redelivered(), message.header("attempt"));
		}

	}

}
