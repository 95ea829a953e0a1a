package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.net.URI;
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
import io.zephcast.rabbit.AmqpUrl;

/**
 * Runs the benchmark scenarios against a broker and prints one table per scenario and a
 * summary against the targets. Exits non-zero only when a scenario breaks (messages lost
 * or duplicated, a nack, an error, a timeout), never because of speed.
 */
public final class BenchmarkMain {

	private final Options options;

	private final PrintStream out = System.out;

	private final PrintStream progress = System.err;

	private final CpuClock cpu;

	private final String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);

	private final List<ScenarioResult> results = new ArrayList<>();

	private final List<HeapScenario.HeapRow> heapRows = new ArrayList<>();

	private final List<String> failures = new ArrayList<>();

	private BrokerAdmin admin;

	private BenchmarkMain(Options options) {
		this.options = options;
		this.cpu = new CpuClock(brokerPort(options.url));
	}

	private static int brokerPort(String url) {
		try {
			URI uri = URI.create(url);
			return (uri.getPort() > 0) ? uri.getPort() : "amqps".equals(uri.getScheme()) ? 5671 : 5672;
		}
		catch (IllegalArgumentException ex) {
			return 5672;
		}
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
			this.out.println(new TargetSummary(this.options, this.results, this.heapRows).render());
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
			String table = null;
			this.admin.takeOutage();
			try {
				switch (scenario) {
					case "publish" -> publishOnly();
					case "consume" -> {
						consumeOnly(1, this.options.backlogPrefetch1);
						consumeOnly(250, this.options.backlog);
						consumeOnly(1000, this.options.backlog);
					}
					case "pubsub" -> publishAndConsume();
					case "latency" -> fixedRateLatency();
					case "group" -> consumerGroup();
					case "heap" -> new HeapScenario(this.options, this.admin, this.progress).run(this.heapRows);
					case "storm" -> table = new StormScenario(this.options, this.admin, this.progress).run();
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
				if (table != null) {
					this.out.println(table);
				}
				if (this.heapRows.size() > heapRows) {
					this.out.println(new HeapScenario(this.options, this.admin, this.progress).render(this.heapRows));
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
		this.out.println("- broker: " + this.admin.brokerVersion() + " at " + AmqpUrl.mask(this.options.url)
				+ (this.cpu.seesBroker() ? " (its CPU time is read from /proc: broker CPU column)" : ""));
		this.out.println("- sizes: " + this.options);
		this.out.println("- message: " + Payload.SIZE + " bytes, persistent, durable classic queue, default exchange; "
				+ "publishers pipeline at most " + Session.WINDOW
				+ " unconfirmed messages (except 'wait each confirm')");
		this.out.println();
	}

	// ---------------------------------------------------------------- scenarios

	private void publishOnly() throws Exception {
		List<Contender> contenders = List.of(Contender.RAW, Contender.ZEPHCAST_SEND, Contender.ZEPHCAST_SEND_OBSERVED,
				Contender.RAW_ZEPHCAST_PROPERTIES, Contender.SPRING_ASYNC, Contender.SPRING_SYNC);
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
				Contender.ZEPHCAST_PUSH_COALESCED, Contender.ZEPHCAST_PULL_COALESCED, Contender.SPRING_LISTENER);
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
		List<Contender> contenders = List.of(Contender.RAW, Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PUSH_OBSERVED,
				Contender.ZEPHCAST_PULL, Contender.SPRING_BOTH);
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

}
