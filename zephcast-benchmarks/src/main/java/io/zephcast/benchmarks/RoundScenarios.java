package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

import io.zephcast.benchmarks.ScenarioResult.Trial;
import io.zephcast.benchmarks.Session.BenchmarkFailure;

/**
 * The scenarios measured in rounds against the raw client: publish-only, consume-only,
 * publish + consume, fixed-rate latency and the consumer group (and, in a class of its
 * own, the backlog as a user measures it: {@link BacklogScenario}). Each says what one
 * trial of a contender does and checks against the broker; {@link RoundRunner} runs the
 * trials (warm-ups, rounds in a balanced order, forked contenders).
 */
final class RoundScenarios {

	/** The latency and consumer-group scenarios' contenders. */
	private static final List<Contender> FLOW_CONTENDERS = List.of(Contender.RAW, Contender.ZEPHCAST_PUSH,
			Contender.ZEPHCAST_PUSH_OBSERVED, Contender.ZEPHCAST_PULL, Contender.SPRING_BOTH);

	private final Options options;

	private final BrokerAdmin admin;

	private final CpuClock cpu;

	private final PrintStream progress;

	private final RoundRunner rounds;

	/**
	 * The scenarios.
	 * @param runId names the run's forked contenders' queues
	 * @param worker in a forked contender's JVM, the worker whose trials to run; else
	 * {@code null}
	 * @param results where each scenario's result goes
	 */
	RoundScenarios(Options options, String runId, BrokerAdmin admin, CpuClock cpu, PrintStream progress,
			@Nullable TrialWorker worker, List<ScenarioResult> results) {
		this.options = options;
		this.admin = admin;
		this.cpu = cpu;
		this.progress = progress;
		this.rounds = new RoundRunner(options, runId, progress, worker, results);
	}

	private void publishOnly() throws Exception {
		publishOnly("publish",
				"publish-only with confirms: " + BenchmarkMain.count(this.options.messages)
						+ " msgs per trial (RabbitTemplate waiting for each confirm: "
						+ BenchmarkMain.count(syncCount(this.options.messages)) + ")",
				List.of(Contender.RAW, Contender.ZEPHCAST_SEND, Contender.ZEPHCAST_SEND_OBSERVED,
						Contender.RAW_ZEPHCAST_PROPERTIES, Contender.SPRING_ASYNC, Contender.SPRING_SYNC));
	}

	/** Publish-only: each contender's trial publishes into a fresh queue of its own. */
	void publishOnly(String key, String title, List<Contender> contenders) throws Exception {
		this.rounds.run(new ScenarioResult(key, title, "send -> confirm", contenders), (contender, round, size) -> {
			int count = (contender == Contender.SPRING_SYNC) ? syncCount(size) : size;
			String queue = this.admin.declare(contender, key + "-" + slug(contender) + "-" + round);
			try (Session session = contender.open(this.options, queue, 250, 1)) {
				Histogram latency = new ConcurrentHistogram(3);
				gc();
				awaitBrokerQuiet(key, contender);
				CpuWindow cpuWindow = startCpuWindow();
				long start = System.nanoTime();
				int sent = session.publish(count, latency, null, start + seconds(this.options.maxTrialSeconds));
				long end = System.nanoTime();
				double[] cpuUsed = cpuUsed(cpuWindow, key, contender, sent);
				session.checkFailures();
				int ready = this.admin.ready(queue);
				if (ready != sent) {
					throw new BenchmarkFailure(
							contender.name() + ": " + sent + " confirmed but the queue holds " + ready);
				}
				return new Trial(contender, round, sent, (end - start) / 1e9, latency,
						(sent < count) ? "stopped at " + this.options.maxTrialSeconds + " s" : null, cpuUsed);
			}
			finally {
				this.admin.delete(queue);
			}
		}, this.options.messages);
	}

	private int syncCount(int messages) {
		return Math.max(50, messages / 20);
	}

	/**
	 * The client-bound scenario: every contender drains a backlog of the same bare
	 * messages (at prefetch 1 a smaller one: one round trip per message).
	 */
	private void consumeOnly(int prefetch) throws Exception {
		consumeOnly("consume-p" + prefetch, prefetch,
				List.of(Contender.RAW, Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL, Contender.RAW_HAND_OFF,
						Contender.ZEPHCAST_PUSH_COALESCED, Contender.ZEPHCAST_PULL_COALESCED,
						Contender.SPRING_LISTENER));
	}

	/**
	 * Consume-only: each contender's trial drains a backlog written with its own
	 * protocol's raw publisher.
	 */
	void consumeOnly(String key, int prefetch, List<Contender> contenders) throws Exception {
		int backlog = (prefetch == 1) ? this.options.backlogPrefetch1 : this.options.backlog;
		this.rounds.run(new ScenarioResult(key,
				(key.startsWith(ProtocolScenarios.PREFIX) ? "AMQP 1.0 vs 0-9-1, " : "")
						+ "consume-only from a backlog of " + BenchmarkMain.count(backlog) + ", manual ack, prefetch "
						+ prefetch,
				"gap between consecutive deliveries", contenders), (contender, round, size) -> {
					String queue = this.admin.declare(contender, key + "-" + slug(contender) + "-" + round);
					try {
						this.admin.fill(contender, queue, size);
						Sink sink = new Sink(Sink.LatencyMode.GAP, size, 0);
						sink.expect(size);
						double[] cpuUsed;
						try (Session session = contender.open(this.options, queue, prefetch, 1)) {
							gc();
							awaitBrokerQuiet(key, contender);
							session.startConsuming(sink);
							// CPU from the first delivery to the last, msg/s's window:
							// starting consumers is a one-time cost
							awaitFirst(contender, sink);
							long before = sink.received();
							CpuWindow cpuWindow = startCpuWindow();
							awaitSink(contender, sink, size);
							cpuUsed = cpuUsed(cpuWindow, key, contender, size - before);
							session.stopConsuming();
							session.checkFailures();
						}
						checkDrained(contender, queue, sink);
						double seconds = (sink.lastArrivalNanos() - sink.firstArrivalNanos()) / 1e9;
						return new Trial(contender, round, size - 1, seconds, sink.latency(), null, cpuUsed);
					}
					finally {
						this.admin.delete(queue);
					}
				}, backlog, consumeWarmup(backlog));
	}

	/**
	 * A consumer's path runs in the interpreter and C1 code until the JIT has seen it
	 * often: at prefetch 1 a 5,000-message warm-up left zephcast's deliveries still being
	 * compiled in the measured rounds (and raw's much shorter path compiled). A warm-up
	 * as long as a trial, up to 20,000 messages, measures every contender's steady state.
	 */
	private int consumeWarmup(int backlog) {
		return (this.options.warmup == 0) ? 0 : Math.min(backlog, Math.max(this.options.warmup, 20_000));
	}

	/**
	 * The broker-bound scenario, at the consume-only scenario's prefetches. Raw
	 * publishing zephcast's message properties runs beside raw: the broker handles every
	 * property of every message, so it tells what the message costs apart from what the
	 * client costs. At prefetch 250 its parts run too (the mandatory flag alone; the id
	 * and timestamp alone; the id alone; the timestamp alone), and meters+observations
	 * and Spring (one measure each is enough).
	 */
	private void publishAndConsume(int prefetch) throws Exception {
		List<Contender> contenders = (prefetch == 250)
				? List.of(Contender.RAW, Contender.RAW_ZEPHCAST_PROPERTIES, Contender.RAW_MANDATORY,
						Contender.RAW_ID_AND_TIMESTAMP, Contender.RAW_MESSAGE_ID, Contender.RAW_TIMESTAMP,
						Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PUSH_OBSERVED, Contender.ZEPHCAST_PULL,
						Contender.SPRING_BOTH)
				: List.of(Contender.RAW, Contender.RAW_ZEPHCAST_PROPERTIES, Contender.ZEPHCAST_PUSH,
						Contender.ZEPHCAST_PULL);
		// at prefetch 1 the consumer, one round trip per message, runs far behind the
		// publisher: consume-only's smaller prefetch-1 size keeps its trials as short
		int messages = (prefetch == 1) ? this.options.backlogPrefetch1 : this.options.messages;
		flowScenario(
				"pubsub-p" + prefetch, "publish + consume together: " + BenchmarkMain.count(messages)
						+ " msgs per trial, prefetch " + prefetch + ", one consumer",
				contenders, prefetch, 1, 0, messages);
	}

	private void consumerGroup() throws Exception {
		flowScenario("group", "consumer group of 3 (publish + consume): " + BenchmarkMain.count(this.options.messages)
				+ " msgs per trial, prefetch 250 each", FLOW_CONTENDERS, 250, 3, 0, this.options.messages);
	}

	private void fixedRateLatency() throws Exception {
		flowScenario("latency",
				"end-to-end latency at a fixed " + BenchmarkMain.count(this.options.rate) + " msg/s for "
						+ this.options.latencySeconds + " s per trial, prefetch 250",
				FLOW_CONTENDERS, 250, 1, this.options.rate, this.options.rate * this.options.latencySeconds);
	}

	/**
	 * Publish and consume at once; rate 0 = as fast as the window allows.
	 * @param size messages per trial
	 */
	void flowScenario(String key, String title, List<Contender> contenders, int prefetch, int concurrency, int rate,
			int size) throws Exception {
		String meaning = (rate > 0) ? "due send time -> consumer (sends paced; a late send counts against it)"
				: "send -> consumer (includes time queued behind earlier messages)";
		this.rounds.run(new ScenarioResult(key, title, meaning, contenders), (contender, round, count) -> {
			String queue = this.admin.declare(contender, key + "-" + slug(contender) + "-" + round);
			try {
				Sink sink = new Sink(Sink.LatencyMode.END_TO_END, count, 0);
				long start;
				int sent;
				double[] cpuUsed;
				try (Session session = contender.open(this.options, queue, prefetch, concurrency)) {
					session.startConsuming(sink);
					this.admin.awaitConsumers(queue, concurrency);
					gc();
					awaitBrokerQuiet(key, contender);
					CpuWindow cpuWindow = startCpuWindow();
					start = System.nanoTime();
					Session.Pacer pacer = (rate > 0) ? new Session.Pacer(rate) : null;
					sent = session.publish(count, null, pacer,
							(rate > 0) ? Long.MAX_VALUE : start + seconds(this.options.maxTrialSeconds));
					sink.expect(sent);
					awaitSink(contender, sink, sent);
					cpuUsed = cpuUsed(cpuWindow, key, contender, sent);
					session.stopConsuming();
					session.checkFailures();
				}
				checkDrained(contender, queue, sink);
				String note = null;
				if (concurrency > 1) {
					note = split(sink.perConsumer(), sent);
					if (sent >= 30 && sink.perConsumer().size() < concurrency) {
						throw new BenchmarkFailure(contender.name() + ": only " + sink.perConsumer().size() + " of "
								+ concurrency + " consumers got messages");
					}
				}
				return new Trial(contender, round, sent, (sink.lastArrivalNanos() - start) / 1e9, sink.latency(), note,
						cpuUsed);
			}
			finally {
				this.admin.delete(queue);
			}
		}, size, (rate > 0) ? Math.min(size, rate * 3) : Math.min(size, this.options.warmup));
	}

	/**
	 * The keys a round scenario runs as ({@link #run}): one per prefetch for
	 * {@code consume}, {@code pubsub} and {@code backlog}, else the scenario's name.
	 */
	static List<String> keys(String scenario, List<Integer> prefetches) {
		return switch (scenario) {
			case "protocols" -> ProtocolScenarios.keys(prefetches);
			case "consume", "pubsub", "backlog" ->
				prefetches.stream().map((prefetch) -> scenario + "-p" + prefetch).toList();
			default -> List.of(scenario);
		};
	}

	/**
	 * Runs the round scenario with this key ({@link #keys}); in a forked contender's JVM
	 * it then serves the one contender it was started for.
	 * @param key the scenario's key: {@code publish}, {@code consume-p<prefetch>},
	 * {@code pubsub-p<prefetch>}, {@code backlog-p<prefetch>}, {@code latency} or
	 * {@code group}
	 */
	void run(String key) throws Exception {
		if (key.startsWith(ProtocolScenarios.PREFIX)) {
			new ProtocolScenarios(this, this.options, this.admin.brokerVersion()).run(key);
			return;
		}
		int prefetchAt = key.indexOf("-p");
		String scenario = (prefetchAt < 0) ? key : key.substring(0, prefetchAt);
		switch (scenario) {
			case "publish" -> publishOnly();
			case "consume" -> consumeOnly(Integer.parseInt(key.substring(prefetchAt + 2)));
			case "pubsub" -> publishAndConsume(Integer.parseInt(key.substring(prefetchAt + 2)));
			case "backlog" -> new BacklogScenario(this.options, this.admin, this.cpu, this.progress, this.rounds)
				.run(Integer.parseInt(key.substring(prefetchAt + 2)));
			case "latency" -> fixedRateLatency();
			case "group" -> consumerGroup();
			default -> throw new IllegalArgumentException("no round scenario '" + key + "'");
		}
	}

	/**
	 * Waits until the broker is done with what the previous trial left it (a backlog just
	 * written, a queue just deleted): a trial that starts while it is still busy runs
	 * slower whichever client it is.
	 */
	private void awaitBrokerQuiet(String key, Contender contender) throws InterruptedException {
		if (!this.cpu.awaitBrokerQuiet(10_000) && this.cpu.seesBroker()) {
			this.progress
				.println("[" + key + "] the broker was still busy after 10 s; " + contender.name() + " starts anyway");
		}
	}

	/** Where a trial's measured window starts: CPU readings, and by thread if asked. */
	private record CpuWindow(long[] start, @Nullable ThreadCpu threads) {
	}

	private CpuWindow startCpuWindow() {
		return new CpuWindow(this.cpu.read(), this.options.threadCpu ? new ThreadCpu() : null);
	}

	/**
	 * The CPU per message since the window started (see {@link CpuClock#perMessage}),
	 * printing it by thread if asked ({@code --thread-cpu}).
	 */
	private double[] cpuUsed(CpuWindow window, String key, Contender contender, long messages) {
		double[] used = CpuClock.perMessage(window.start(), this.cpu.read(), messages);
		if (window.threads() != null) {
			this.progress.println("[" + key + "] client CPU us/msg by thread, " + contender.name() + ":"
					+ window.threads().since(messages));
		}
		return used;
	}

	private void awaitFirst(Contender contender, Sink sink) throws InterruptedException {
		if (!sink.awaitFirst(this.options.timeoutSeconds, TimeUnit.SECONDS)) {
			throw new BenchmarkFailure(
					contender.name() + ": no message within " + this.options.timeoutSeconds + " s of starting");
		}
	}

	private void awaitSink(Contender contender, Sink sink, long expected) throws InterruptedException {
		if (!sink.await(this.options.timeoutSeconds, TimeUnit.SECONDS)) {
			throw new BenchmarkFailure(contender.name() + ": received " + sink.received() + " of " + expected
					+ " messages within " + this.options.timeoutSeconds + " s");
		}
	}

	/**
	 * After the consumer stopped: no duplicates, nothing left in the queue (everything
	 * acked).
	 */
	private void checkDrained(Contender contender, String queue, Sink sink) throws Exception {
		if (sink.duplicates() > 0) {
			throw new BenchmarkFailure(contender.name() + ": " + sink.duplicates() + " duplicate deliveries");
		}
		int ready = this.admin.ready(queue);
		if (ready != 0) {
			throw new BenchmarkFailure(contender.name() + ": " + ready + " messages back in the queue: not acked");
		}
	}

	// ---------------------------------------------------------------- helpers

	private static void gc() throws InterruptedException {
		System.gc();
		Thread.sleep(100);
	}

	private static long seconds(int seconds) {
		return TimeUnit.SECONDS.toNanos(seconds);
	}

	private static String slug(Contender contender) {
		return contender.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
	}

	private static String split(Map<String, Long> perConsumer, long total) {
		StringBuilder split = new StringBuilder("split");
		perConsumer.values()
			.stream()
			.sorted((a, b) -> Long.compare(b, a))
			.forEach((count) -> split.append(' ').append(Math.round(100.0 * count / Math.max(1, total))).append('%'));
		return split.toString();
	}

}
