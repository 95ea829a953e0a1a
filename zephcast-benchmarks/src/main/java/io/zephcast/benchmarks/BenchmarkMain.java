package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import io.zephcast.benchmarks.ScenarioResult.Trial;
import io.zephcast.benchmarks.Session.BenchmarkFailure;

/**
 * Runs the benchmark scenarios against a broker and prints one table per scenario and a
 * summary against the targets. Exits non-zero only when a scenario breaks (messages lost
 * or duplicated, a nack, an error, a timeout), never because of speed.
 */
public final class BenchmarkMain {

	private static final double SEND_TARGET = 0.9;

	private static final double CONSUME_TARGET = 0.9;

	private static final double P99_TARGET = 1.5;

	private final Options options;

	private final PrintStream out = System.out;

	private final PrintStream progress = System.err;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private final CpuClock cpu = new CpuClock();

	private final String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);

	private final List<ScenarioResult> results = new ArrayList<>();

	private final List<HeapRow> heapRows = new ArrayList<>();

	private final List<String> failures = new ArrayList<>();

	private BrokerAdmin admin;

	private BenchmarkMain(Options options) {
		this.options = options;
	}

	public static void main(String[] args) {
		System.exit(run(args));
	}

	/**
	 * Runs the benchmark as {@link #main(String[])} does, without exiting.
	 * @param args the command line
	 * @return the exit code: 0, 1 if a scenario broke, 2 for bad arguments
	 */
	static int run(String... args) {
		// before the first logger: Spring AMQP and amqp-client log through SLF4J
		System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
		System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
		Options options;
		try {
			options = Options.parse(args);
		}
		catch (Options.UsageException ex) {
			System.err.println(ex.getMessage());
			return 2;
		}
		try {
			return new BenchmarkMain(options).run();
		}
		catch (Exception ex) {
			ex.printStackTrace();
			return 1;
		}
	}

	private int run() throws Exception {
		try (BrokerAdmin brokerAdmin = new BrokerAdmin(this.options, this.runId)) {
			this.admin = brokerAdmin;
			Thread cleanup = new Thread(brokerAdmin::deleteAll, "zc-bench-cleanup");
			Runtime.getRuntime().addShutdownHook(cleanup);
			header();
			for (String scenario : this.options.scenarios) {
				runScenario(scenario);
			}
			summary();
			Runtime.getRuntime().removeShutdownHook(cleanup);
		}
		if (!this.failures.isEmpty()) {
			this.out.println();
			this.out.println("BROKEN SCENARIOS (" + this.failures.size() + "):");
			this.failures.forEach((failure) -> this.out.println("  - " + failure));
			return 1;
		}
		this.out.println();
		this.out.println("All scenarios ran without losing, duplicating or failing a message.");
		return 0;
	}

	/**
	 * Runs a scenario and prints its table(s). If the broker went away meanwhile (a
	 * shared broker restarted by someone else), the attempt does not count: it waits for
	 * the broker and runs the scenario again, at most twice, and says so in the output.
	 */
	private void runScenario(String scenario) {
		for (int attempt = 1;; attempt++) {
			long start = System.nanoTime();
			int results = this.results.size();
			int heapRows = this.heapRows.size();
			this.admin.takeOutage();
			try {
				switch (scenario) {
					case "publish" -> publishOnly();
					case "consume" -> {
						consumeOnly(1, this.options.backlogPrefetch1);
						consumeOnly(250, this.options.backlog);
					}
					case "pubsub" -> publishAndConsume();
					case "latency" -> fixedRateLatency();
					case "group" -> consumerGroup();
					case "heap" -> heap();
					default -> throw new IllegalStateException(scenario);
				}
				String outage = this.admin.takeOutage();
				if (outage != null) {
					// it ran through, but its numbers include the outage
					throw new BenchmarkFailure("the broker went away during the scenario: " + outage);
				}
				for (ScenarioResult result : this.results.subList(results, this.results.size())) {
					this.out.println(result.render());
				}
				if (this.heapRows.size() > heapRows) {
					this.out.println(renderHeap(this.options.heapBacklog));
				}
				if (attempt > 1) {
					this.out.println("(" + scenario + ": attempt " + attempt
							+ "; an earlier attempt was cut short because " + "the broker went away)");
					this.out.println();
				}
				return;
			}
			catch (Exception | Error ex) {
				String outage = brokerOutage(ex);
				this.results.subList(results, this.results.size()).clear();
				this.heapRows.subList(heapRows, this.heapRows.size()).clear();
				if (outage != null && attempt < 3) {
					this.progress.println("[" + scenario + "] the broker went away (" + outage
							+ "); waiting for it, then running the scenario again");
					try {
						this.admin.awaitBroker(TimeUnit.MINUTES.toMillis(5));
						this.admin.deleteAll();
						Thread.sleep(5_000);
						continue;
					}
					catch (Exception waited) {
						ex.addSuppressed(waited);
					}
				}
				this.failures
					.add(scenario + ": " + ex + ((outage != null) ? " (the broker went away: " + outage + ")" : ""));
				this.progress.println("SCENARIO BROKEN: " + scenario);
				ex.printStackTrace(this.progress);
				return;
			}
			finally {
				this.admin.deleteAll();
				this.progress.printf(Locale.ROOT, "[%s] done in %.0f s%n", scenario, (System.nanoTime() - start) / 1e9);
			}
		}
	}

	/** Why the broker went away during the failed attempt, or null if it did not. */
	private String brokerOutage(Throwable failure) {
		String seen = this.admin.takeOutage();
		if (seen != null) {
			return seen;
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			String message = String.valueOf(cause.getMessage());
			if (message.startsWith("the broker went away during the scenario: ")) {
				return message.substring("the broker went away during the scenario: ".length());
			}
			if (cause instanceof java.net.ConnectException || message.contains("Connection refused")
					|| message.contains("CONNECTION_FORCED")) {
				return message;
			}
		}
		return null;
	}

	private void header() {
		this.out.println("## zephcast benchmarks");
		this.out.println();
		this.out.println("- date: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
		this.out.println("- machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
				+ System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", Java "
				+ System.getProperty("java.version") + ", max heap " + mib(Runtime.getRuntime().maxMemory()));
		this.out.println("- broker: " + this.admin.brokerVersion() + " at " + maskedUrl(this.options.url)
				+ (this.cpu.seesBroker() ? " (its CPU time is read from /proc: broker CPU column)" : ""));
		this.out.println("- sizes: " + this.options);
		this.out.println("- message: " + Payload.SIZE + " bytes, persistent, durable classic queue, default exchange; "
				+ "publishers pipeline at most " + Session.WINDOW
				+ " unconfirmed messages (except 'wait each confirm')");
		this.out.println();
	}

	// ---------------------------------------------------------------- scenarios

	private void publishOnly() throws Exception {
		List<Contender> contenders = List.of(Contender.RAW, Contender.ZEPHCAST_SEND, Contender.RAW_ZEPHCAST_PROPERTIES,
				Contender.SPRING_ASYNC, Contender.SPRING_SYNC);
		rounds(new ScenarioResult("publish",
				"publish-only with confirms: " + count(this.options.messages)
						+ " msgs per trial (RabbitTemplate waiting for each confirm: "
						+ count(syncCount(this.options.messages)) + ")",
				"send -> confirm", contenders), (contender, round, size) -> {
					int count = (contender == Contender.SPRING_SYNC) ? syncCount(size) : size;
					String queue = this.admin.declare("publish-" + slug(contender) + "-" + round);
					try (Session session = contender.open(this.options, queue, 250, 1)) {
						Histogram latency = new ConcurrentHistogram(3);
						gc();
						long[] cpuStart = this.cpu.read();
						long start = System.nanoTime();
						int sent = session.publish(count, latency, null, start + seconds(this.options.maxTrialSeconds));
						long end = System.nanoTime();
						double[] cpuUsed = CpuClock.perMessage(cpuStart, this.cpu.read(), sent);
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

	private void consumeOnly(int prefetch, int backlog) throws Exception {
		List<Contender> contenders = List.of(Contender.RAW, Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL,
				Contender.SPRING_LISTENER);
		rounds(new ScenarioResult("consume-p" + prefetch,
				"consume-only from a backlog of " + count(backlog) + ", manual ack, prefetch " + prefetch,
				"gap between consecutive deliveries", contenders), (contender, round, size) -> {
					String queue = this.admin.declare("consume-p" + prefetch + "-" + slug(contender) + "-" + round);
					try {
						this.admin.fill(queue, size);
						Sink sink = new Sink(Sink.LatencyMode.GAP, size, 0);
						sink.expect(size);
						long[] cpuStart;
						double[] cpuUsed;
						try (Session session = contender.open(this.options, queue, prefetch, 1)) {
							gc();
							cpuStart = this.cpu.read();
							session.startConsuming(sink);
							awaitSink(contender, sink, size);
							cpuUsed = CpuClock.perMessage(cpuStart, this.cpu.read(), size);
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
				}, backlog);
	}

	private void publishAndConsume() throws Exception {
		flowScenario("pubsub", "publish + consume together: " + count(this.options.messages)
				+ " msgs per trial, prefetch 250, one consumer", 250, 1, 0);
	}

	private void consumerGroup() throws Exception {
		flowScenario("group", "consumer group of 3 (publish + consume): " + count(this.options.messages)
				+ " msgs per trial, prefetch 250 each", 250, 3, 0);
	}

	private void fixedRateLatency() throws Exception {
		flowScenario("latency", "end-to-end latency at a fixed " + count(this.options.rate) + " msg/s for "
				+ this.options.latencySeconds + " s per trial, prefetch 250", 250, 1, this.options.rate);
	}

	/** Publish and consume at once; rate 0 = as fast as the window allows. */
	private void flowScenario(String key, String title, int prefetch, int concurrency, int rate) throws Exception {
		List<Contender> contenders = List.of(Contender.RAW, Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL,
				Contender.SPRING_BOTH);
		int size = (rate > 0) ? rate * this.options.latencySeconds : this.options.messages;
		String meaning = (rate > 0) ? "due send time -> consumer (sends paced; a late send counts against it)"
				: "send -> consumer (includes time queued behind earlier messages)";
		rounds(new ScenarioResult(key, title, meaning, contenders), (contender, round, count) -> {
			String queue = this.admin.declare(key + "-" + slug(contender) + "-" + round);
			try {
				Sink sink = new Sink(Sink.LatencyMode.END_TO_END, count, 0);
				long start;
				int sent;
				double[] cpuUsed;
				try (Session session = contender.open(this.options, queue, prefetch, concurrency)) {
					session.startConsuming(sink);
					this.admin.awaitConsumers(queue, concurrency);
					gc();
					long[] cpuStart = this.cpu.read();
					start = System.nanoTime();
					Session.Pacer pacer = (rate > 0) ? new Session.Pacer(rate) : null;
					sent = session.publish(count, null, pacer,
							(rate > 0) ? Long.MAX_VALUE : start + seconds(this.options.maxTrialSeconds));
					sink.expect(sent);
					awaitSink(contender, sink, sent);
					cpuUsed = CpuClock.perMessage(cpuStart, this.cpu.read(), sent);
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
		}, (rate > 0) ? size : this.options.messages, (rate > 0) ? Math.min(size, rate * 3) : this.options.warmup);
	}

	private void heap() throws Exception {
		int backlog = this.options.heapBacklog;
		String queue = this.admin.declare("heap");
		try {
			long fillStart = System.nanoTime();
			this.admin.fill(queue, backlog);
			this.progress.printf(Locale.ROOT, "[heap] filled %,d in %.0f s%n", backlog,
					(System.nanoTime() - fillStart) / 1e9);
			int remaining = backlog;
			List<Object[]> plan = List.of(new Object[] { Contender.ZEPHCAST_PUSH, 250 },
					new Object[] { Contender.ZEPHCAST_PULL, 250 }, new Object[] { Contender.ZEPHCAST_PUSH, 1 },
					new Object[] { Contender.SPRING_LISTENER, 250 }, new Object[] { Contender.RAW, 0 });
			for (Object[] step : plan) {
				Contender contender = (Contender) step[0];
				int prefetch = (Integer) step[1];
				if (!this.options.runs(contender)) {
					continue;
				}
				HeapRow row = heapTrial(queue, contender, prefetch, remaining);
				this.heapRows.add(row);
				remaining = row.remainingAfter;
				this.progress.println("[heap] " + row.label() + ": max held " + row.maxHeld + ", heap +"
						+ mib(row.maxHeap - row.heapBefore));
			}
		}
		finally {
			this.admin.delete(queue);
		}
	}

	private HeapRow heapTrial(String queue, Contender contender, int prefetch, int remaining) throws Exception {
		Sink sink = new Sink(Sink.LatencyMode.GAP, 0, this.options.heapWorkMillis);
		long heapBefore = usedHeapAfterGc();
		long maxHeap = heapBefore;
		long lastHeap = heapBefore;
		long maxHeld = 0;
		long start;
		try (Session session = contender.open(this.options, queue, prefetch, 1)) {
			start = System.nanoTime();
			session.startConsuming(sink);
			for (int second = 0; second < this.options.heapSeconds; second++) {
				Thread.sleep(1_000);
				long processed = sink.received();
				int ready = this.admin.ready(queue);
				long held = Math.max(0, remaining - ready - processed);
				maxHeld = Math.max(maxHeld, held);
				lastHeap = usedHeapAfterGc();
				maxHeap = Math.max(maxHeap, lastHeap);
			}
			sink.stopping();
			session.stopConsuming();
			session.checkFailures();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		long consumed = sink.received();
		// every message it did not ack goes back to the queue: nothing may be lost
		int expected = (int) (remaining - consumed);
		int ready = this.admin.awaitReady(queue, expected, TimeUnit.SECONDS.toMillis(this.options.timeoutSeconds));
		if (ready < expected) {
			throw new BenchmarkFailure(contender.name() + " (heap): " + consumed + " consumed of " + remaining
					+ " but only " + ready + " back in the queue; expected " + expected);
		}
		return new HeapRow(contender, prefetch, consumed, consumed / seconds, heapBefore, maxHeap, lastHeap, maxHeld,
				ready);
	}

	/** Heap scenario: one slow consumer while a large backlog waits. */
	private record HeapRow(Contender contender, int prefetch, long consumed, double rate, long heapBefore, long maxHeap,
			long lastHeap, long maxHeld, int remainingAfter) {

		String label() {
			return this.contender.name()
					+ ((this.prefetch > 0) ? ", prefetch " + this.prefetch : ", no prefetch limit (client default)");
		}

		boolean bounded() {
			// one message may be between the sink and its ack when sampled
			return this.prefetch > 0 && this.maxHeld <= this.prefetch + 1;
		}

	}

	private String renderHeap(int backlog) {
		StringBuilder out = new StringBuilder();
		out.append("### heap while a backlog of ")
			.append(count(backlog))
			.append(" is consumed slowly (")
			.append(this.options.heapWorkMillis)
			.append(" ms per message, ")
			.append(this.options.heapSeconds)
			.append(" s per contender)\n");
		out.append(
				"used heap after a full GC, sampled every second; held = delivered to the client but not yet acked\n\n");
		out.append(
				"| consumer | consumed | msg/s | heap before | heap max | heap growth | max held | bounded by prefetch |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
		for (HeapRow row : this.heapRows) {
			out.append("| ")
				.append(row.label())
				.append(" | ")
				.append(count(row.consumed()))
				.append(" | ")
				.append(ScenarioResult.rate(row.rate()))
				.append(" | ")
				.append(mib(row.heapBefore()))
				.append(" | ")
				.append(mib(row.maxHeap()))
				.append(" | ")
				.append(mib(row.maxHeap() - row.heapBefore()))
				.append(" | ")
				.append(count(row.maxHeld()))
				.append(" | ")
				.append((row.prefetch() > 0) ? (row.bounded() ? "yes (prefetch " + row.prefetch() + ")" : "NO")
						: "no limit")
				.append(" |\n");
		}
		return out.toString();
	}

	// ---------------------------------------------------------------- summary

	private void summary() {
		StringBuilder out = new StringBuilder();
		out.append("### targets (ratios to raw amqp-client measured in this run)\n\n");
		if (this.options.smoke) {
			out.append("(smoke run: sizes far too small for these ratios to mean anything)\n\n");
		}
		out.append("| target | measured | goal | result |\n|---|---:|---:|---|\n");
		ScenarioResult publish = result("publish");
		if (publish != null && publish.has(Contender.ZEPHCAST_SEND)) {
			target(out, "zephcast send msg/s, publish-only", publish.rateRatio(Contender.ZEPHCAST_SEND), SEND_TARGET,
					true);
		}
		for (String key : List.of("consume-p1", "consume-p250")) {
			ScenarioResult consume = result(key);
			if (consume == null) {
				continue;
			}
			String prefetch = key.substring("consume-p".length());
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
				if (consume.has(contender)) {
					target(out, contender.name() + " msg/s, consume-only, prefetch " + prefetch,
							consume.rateRatio(contender), CONSUME_TARGET, true);
				}
			}
		}
		ScenarioResult latency = result("latency");
		if (latency != null) {
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
				if (latency.has(contender)) {
					target(out, contender.name() + " p99 end-to-end at " + count(this.options.rate) + " msg/s",
							latency.p99Ratio(contender), P99_TARGET, false);
				}
			}
		}
		for (HeapRow row : this.heapRows) {
			if (row.contender().family() == Contender.Family.ZEPHCAST) {
				out.append("| heap: ")
					.append(row.label())
					.append(" | held <= ")
					.append(count(row.maxHeld()))
					.append(", heap +")
					.append(mib(row.maxHeap() - row.heapBefore()))
					.append(" | held <= prefetch | ")
					.append(row.bounded() ? "PASS" : "SHORT")
					.append(" |\n");
			}
		}
		for (String key : List.of("pubsub", "group")) {
			ScenarioResult flow = result(key);
			if (flow == null) {
				continue;
			}
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
				if (flow.has(contender)) {
					out.append("| ")
						.append(contender.name())
						.append(" msg/s, ")
						.append(key.equals("group") ? "consumer group of 3" : "publish + consume")
						.append(" | ")
						.append(ScenarioResult.ratio(flow.rateRatio(contender)))
						.append(" | (no target) | info |\n");
				}
			}
		}
		this.out.println(out);
	}

	private void target(StringBuilder out, String what, double measured, double goal, boolean atLeast) {
		boolean pass = !Double.isNaN(measured) && (atLeast ? measured >= goal : measured <= goal);
		out.append("| ")
			.append(what)
			.append(" | ")
			.append(ScenarioResult.ratio(measured))
			.append(" | ")
			.append(atLeast ? ">= " : "<= ")
			.append(String.format(Locale.ROOT, "%.2fx", goal))
			.append(" | ")
			.append(pass ? "PASS" : "SHORT")
			.append(" |\n");
	}

	private ScenarioResult result(String key) {
		return this.results.stream().filter((result) -> result.key.equals(key)).findFirst().orElse(null);
	}

	// ---------------------------------------------------------------- running trials

	@FunctionalInterface
	private interface TrialBody {

		Trial run(Contender contender, int round, int size) throws Exception;

	}

	private void rounds(ScenarioResult result, TrialBody body, int size) throws Exception {
		rounds(result, body, size, Math.min(size, this.options.warmup));
	}

	/**
	 * One warm-up trial per contender (not recorded), then the measured rounds; round r
	 * starts with contender r, so that no contender always runs first or last.
	 */
	private void rounds(ScenarioResult result, TrialBody body, int size, int warmup) throws Exception {
		List<Contender> contenders = result.contenders().stream().filter(this.options::runs).toList();
		if (warmup > 0) {
			for (Contender contender : contenders) {
				body.run(contender, -1, warmup);
			}
			this.progress.println("[" + result.key + "] warmed up");
		}
		for (int round = 0; round < this.options.rounds; round++) {
			for (int k = 0; k < contenders.size(); k++) {
				Contender contender = contenders.get((k + round) % contenders.size());
				Trial trial = body.run(contender, round, size);
				result.add(trial);
				this.progress.printf(Locale.ROOT, "[%s] round %d/%d %-34s %,10.0f msg/s  p99 %s ms%n", result.key,
						round + 1, this.options.rounds, contender.name(), trial.rate(),
						(trial.latency().getTotalCount() > 0)
								? String.format(Locale.ROOT, "%.2f", trial.latency().getValueAtPercentile(99) / 1000.0)
								: "n/a");
			}
		}
		this.results.add(result);
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

	private long usedHeapAfterGc() {
		System.gc();
		return this.memory.getHeapMemoryUsage().getUsed();
	}

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

	static String count(long count) {
		return String.format(Locale.ROOT, "%,d", count);
	}

	static String mib(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

	private static String maskedUrl(String url) {
		return url.replaceAll("//([^:@/]+):([^@/]*)@", "//$1:******@");
	}

}
