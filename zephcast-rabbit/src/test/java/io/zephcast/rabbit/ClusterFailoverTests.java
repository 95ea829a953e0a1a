package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.zephcast.test.RabbitCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client on the 3-node cluster of {@code .ci/rabbitmq-cluster-up}, with a quorum
 * queue replicated on all nodes: nothing confirmed is lost while nodes stop and die, a
 * cluster that is entirely down fails sends at once and is rejoined by itself, and a dead
 * address among good ones is skipped and said once. The main broker is never touched.
 */
class ClusterFailoverTests {

	private static final int MESSAGES = Integer.getInteger("zephcast.cluster.messages", 30_000);

	/**
	 * Messages a second the producer offers: slow enough that the flow outlasts three
	 * faults with their heals (a node takes 10 to 20 s to start), so each hits it.
	 */
	private static final int RATE = Integer.getInteger("zephcast.cluster.rate", 400);

	private static final Duration RESUME_WITHIN = Duration.ofSeconds(15);

	private final List<String> queues = new ArrayList<>();

	private String prefix;

	@BeforeAll
	static void requireCluster() {
		RabbitCluster.requireUp();
	}

	@BeforeEach
	void names() {
		this.prefix = "zc-cluster-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@AfterEach
	void heal() {
		// whatever a failed test left stopped or dead runs again for the next one
		RabbitCluster.up();
		RabbitCluster.deleteQueues(this.queues.toArray(String[]::new));
	}

	private String queue(String name) {
		String queue = this.prefix + "-" + name;
		this.queues.add(queue);
		return queue;
	}

	/** A client that tries the given node first, then the others. */
	private static RabbitConfig.Builder config(String firstNode, String queue) {
		return RabbitConfig.builder()
			.url(RabbitCluster.url(firstNode))
			.addresses(RabbitCluster.addressesFrom(firstNode).toArray(String[]::new))
			.queueName(queue)
			.retry(RetryPolicy.NONE)
			.deadLetterQueue(false);
	}

	@Test
	void aConsumerGroupOnThreeNodesLosesNothingWhileNodesStopAndOneIsKilled() throws Exception {
		String queue = queue("quorum");
		SoakTests.Ledger ledger = new SoakTests.Ledger(MESSAGES);
		Timeline timeline = new Timeline();
		List<RabbitClient> consumers = new ArrayList<>();
		List<Fault> faults = new ArrayList<>();
		long started = System.nanoTime();
		String producerNode = RabbitCluster.NODES.get(0);
		try (RabbitClient publisher = new RabbitClient(this.prefix + "-publisher",
				config(producerNode, queue).queueType(QueueType.QUORUM)
					.prefetchCount(50)
					.confirmTimeout(Duration.ofSeconds(10))
					.build())
			.connect()) {
			for (int i = 0; i < 3; i++) {
				int member = i;
				RabbitClient consumer = new RabbitClient(this.prefix + "-consumer-" + (i + 1),
						config(RabbitCluster.NODES.get(i), queue).queueType(QueueType.QUORUM).prefetchCount(50).build())
					.connect();
				consumer.subscribe((message) -> {
					ledger.processed(message);
					timeline.processed(member);
				});
				consumers.add(consumer);
			}
			SoakSender sender = new SoakSender(publisher, ledger, RATE);
			Thread sending = new Thread(sender::run, "cluster-sender");
			sending.start();

			// the faults come one after the other, each while messages still flow (a
			// heal takes seconds, in which thousands go through)
			awaitProcessed(ledger, MESSAGES / 8);
			faults.add(fault("stop_app on the producer's node " + producerNode, ledger,
					() -> RabbitCluster.stopApp(producerNode), () -> RabbitCluster.startApp(producerNode)));

			awaitProcessed(ledger, MESSAGES * 3 / 8);
			String leader = RabbitCluster.leaderOf(queue);
			assertThat(leader).as("leader of " + queue).isNotNull();
			faults.add(fault("stop_app on the queue leader's node " + leader, ledger,
					() -> RabbitCluster.stopApp(leader), () -> RabbitCluster.startApp(leader)));

			awaitProcessed(ledger, MESSAGES * 5 / 8);
			String victim = RabbitCluster.NODES.get(2);
			faults.add(fault("kill -9 of node " + victim, ledger, () -> RabbitCluster.kill(victim), RabbitCluster::up));

			await().atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> ledger.confirmedIds.size() == MESSAGES && ledger.processedIds.size() == MESSAGES);
			sender.stop();
			sending.join(10_000);
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			consumers.forEach(RabbitClient::close);

			long lost = MESSAGES - ledger.processedIds.size();
			System.out
				.printf("%nzephcast cluster: %,d messages through a quorum queue on 3 nodes, consumer group of 3, "
						+ "%d faults, %.1f s%n", MESSAGES, faults.size(), elapsedMillis / 1000.0);
			for (Fault fault : faults) {
				System.out.printf("  %-48s consumers resumed after %.1f s%n", fault.what(),
						timeline.resumeAfter(fault.atNanos()) / 1000.0);
			}
			ledger.print(lost);

			assertThat(lost).isZero();
			assertThat(ledger.unexplainedDuplicates).as("duplicates neither redelivered nor resent").isEmpty();
			assertThat(ledger.duplicates.get())
				.isEqualTo(ledger.redeliveredDuplicates.get() + ledger.resentDuplicates.get());
			for (Fault fault : faults) {
				assertThat(fault.processedBefore()).as("processed when " + fault.what() + " began")
					.isLessThan(MESSAGES - 1_000);
				assertThat(timeline.resumeAfter(fault.atNanos())).as("pause after " + fault.what())
					.isLessThan(RESUME_WITHIN.toMillis());
			}
			long lastFault = faults.get(faults.size() - 1).atNanos();
			for (int i = 0; i < 3; i++) {
				assertThat(timeline.lastProcessed[i].get())
					.as("consumer-" + (i + 1) + " processed after the last fault")
					.isGreaterThan(lastFault);
			}
		}
		finally {
			consumers.forEach(RabbitClient::close);
		}
	}

	/**
	 * Inflicts a fault, waits until the consumers have processed 1,000 more messages than
	 * before it, then heals it.
	 */
	private static Fault fault(String what, SoakTests.Ledger ledger, Runnable inflict, Runnable heal) {
		long at = System.nanoTime();
		int before = ledger.processedIds.size();
		// the ledger's trace of a duplicate names the faults' times
		ledger.fault();
		inflict.run();
		awaitProcessed(ledger, Math.min(MESSAGES, before + 1_000));
		heal.run();
		return new Fault(what, at, before);
	}

	private static void awaitProcessed(SoakTests.Ledger ledger, int count) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> ledger.processedIds.size() >= count);
	}

	@Test
	void withAllNodesDownSendsFailFastNamingTheAddressesAndClientsComeBackWithOneNode() throws Exception {
		// a durable queue (RabbitMQ 4 deprecates transient shared ones): it lives on the
		// first node, which stops last and comes back first, and the consumer must find
		// it
		// again by itself
		RabbitConfig config = config(RabbitCluster.NODES.get(0), queue("down")).build();
		LinkedBlockingQueue<RabbitMessage> handled = new LinkedBlockingQueue<>();
		try (RabbitClient consumer = new RabbitClient(this.prefix + "-down-consumer", config).connect();
				RabbitClient publisher = new RabbitClient(this.prefix + "-down-publisher", config).connect()) {
			consumer.subscribe(handled::add);
			publisher.send("before").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).extracting(RabbitMessage::text).isEqualTo("before");

			// the first node stops last, so it may start again without waiting for the
			// others
			RabbitCluster.stopApp(RabbitCluster.NODES.get(1));
			RabbitCluster.stopApp(RabbitCluster.NODES.get(2));
			RabbitCluster.stopApp(RabbitCluster.NODES.get(0));
			long notSentMillis;
			SendFailedException notSent;
			try {
				FailedSend failed = await().atMost(Duration.ofSeconds(20))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> timedSend(publisher, "while down"),
							(send) -> send.failure() instanceof SendFailedException ex
									&& ex.reason() == SendFailedException.Reason.NOT_SENT);
				notSent = (SendFailedException) failed.failure();
				notSentMillis = failed.millis();
			}
			finally {
				RabbitCluster.startApp(RabbitCluster.NODES.get(0));
			}
			long returned = System.nanoTime();
			assertThat(notSentMillis).as("a send with every node down fails within").isLessThan(2_000);
			assertThat(notSent).hasMessageContaining(RabbitCluster.addresses());

			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				publisher.send("after").get(5, TimeUnit.SECONDS);
				return true;
			});
			RabbitMessage after = handled.poll(60, TimeUnit.SECONDS);
			long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - returned);
			System.out.printf(
					"%nzephcast cluster, all nodes down: a send failed after %d ms (%s); with the first node back, "
							+ "a message went through again after %.1f s%n%n",
					notSentMillis, notSent.getMessage(), resumedMillis / 1000.0);
			assertThat(after).as("the consumer came back by itself, its queue declared again").isNotNull();
			assertThat(after.text()).isEqualTo("after");
			assertThat(publisher.isConnected()).isTrue();
			assertThat(consumer.isConnected()).isTrue();
		}
	}

	private static FailedSend timedSend(RabbitClient publisher, String text) {
		long start = System.nanoTime();
		CompletableFuture<Void> send = publisher.send(text);
		Throwable failure = send.handle((sent, ex) -> ex).completeOnTimeout(null, 15, TimeUnit.SECONDS).join();
		if (failure instanceof CompletionException wrapped && wrapped.getCause() != null) {
			failure = wrapped.getCause();
		}
		return new FailedSend(failure, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
	}

	@Test
	void anUnreachableAddressAmongGoodOnesIsSkippedAndSaidOnce() throws Exception {
		String dead = "127.0.0.1:5699";
		Logger logger = (Logger) LoggerFactory.getLogger(RabbitClient.class);
		ListAppender<ILoggingEvent> log = new ListAppender<>();
		log.start();
		logger.addAppender(log);
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitCluster.url(RabbitCluster.NODES.get(0)))
			.addresses(dead, RabbitCluster.address(RabbitCluster.NODES.get(0)),
					RabbitCluster.address(RabbitCluster.NODES.get(1)))
			.queueName(queue("skip"))
			.retry(RetryPolicy.NONE)
			.deadLetterQueue(false)
			.build();
		LinkedBlockingQueue<RabbitMessage> handled = new LinkedBlockingQueue<>();
		try (RabbitClient client = new RabbitClient(this.prefix + "-skip", config).connect()) {
			client.subscribe(handled::add);
			client.send("first").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).extracting(RabbitMessage::text).isEqualTo("first");
			// new connections, each of which tries the dead address first again
			for (int i = 0; i < 2; i++) {
				RabbitCluster.rabbitmqctl(RabbitCluster.NODES.get(0), "close_all_connections",
						"zephcast test: reconnect");
				await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
					client.send("again").get(5, TimeUnit.SECONDS);
					return true;
				});
			}
			assertThat(handled.poll(30, TimeUnit.SECONDS)).as("consumed again after the reconnects").isNotNull();
		}
		finally {
			logger.detachAppender(log);
		}
		List<String> skipped = log.list.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.filter((message) -> message.contains(dead))
			.toList();
		assertThat(skipped).hasSize(1);
		assertThat(skipped.get(0)).contains("cannot reach RabbitMQ at " + dead).contains("trying the other addresses");
	}

	/** When each consumer processed, to tell how long a fault paused them. */
	static final class Timeline {

		private final ConcurrentLinkedQueue<Long> processedAt = new ConcurrentLinkedQueue<>();

		final AtomicLong[] lastProcessed = { new AtomicLong(), new AtomicLong(), new AtomicLong() };

		void processed(int consumer) {
			long now = System.nanoTime();
			this.processedAt.add(now);
			this.lastProcessed[consumer].set(now);
		}

		/**
		 * The longest the group went without processing a message in the 30 s after a
		 * fault, counted from the fault: how long it took to resume.
		 */
		long resumeAfter(long faultNanos) {
			long end = faultNanos + TimeUnit.SECONDS.toNanos(30);
			List<Long> times = this.processedAt.stream().filter((t) -> t >= faultNanos && t <= end).sorted().toList();
			long previous = faultNanos;
			long longest = 0;
			for (long time : times) {
				longest = Math.max(longest, time - previous);
				previous = time;
			}
			return TimeUnit.NANOSECONDS.toMillis(Math.max(longest, times.isEmpty() ? end - faultNanos : 0));
		}

	}

	record Fault(String what, long atNanos, int processedBefore) {
	}

	record FailedSend(Throwable failure, long millis) {
	}

}
