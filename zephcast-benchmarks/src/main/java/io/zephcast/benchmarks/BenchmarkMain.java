package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.net.URI;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.zephcast.benchmarks.Session.BenchmarkFailure;
import io.zephcast.rabbit.RabbitConfig;

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

	private final String runId;

	private final List<ScenarioResult> results = new ArrayList<>();

	private final List<HeapScenario.HeapRow> heapRows = new ArrayList<>();

	private final List<String> failures = new ArrayList<>();

	private BrokerAdmin admin;

	private BenchmarkMain(Options options) {
		this.options = options;
		this.cpu = new CpuClock(brokerPort(options.url));
		this.runId = (options.runId != null) ? options.runId
				: HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
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
			BenchmarkMain benchmark = new BenchmarkMain(options);
			return (options.worker != null) ? benchmark.serveAsWorker() : benchmark.run();
		}
		catch (Exception ex) {
			ex.printStackTrace();
			return 1;
		}
	}

	private int run() throws Exception {
		try (BrokerAdmin brokerAdmin = new BrokerAdmin(this.options, this.runId)) {
			this.admin = brokerAdmin;
			header();
			for (String scenario : this.options.scenarios) {
				runScenario(scenario);
			}
			this.out.println(new TargetSummary(this.options, this.results, this.heapRows).render());
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
	 * A forked contender's JVM ({@link ForkedTrials}): runs its contender's trials of one
	 * scenario as the parent asks, until the parent's requests end.
	 */
	private int serveAsWorker() throws Exception {
		TrialWorker worker = new TrialWorker(this.options.worker);
		try (BrokerAdmin brokerAdmin = new BrokerAdmin(this.options, this.runId)) {
			new RoundScenarios(this.options, this.runId, brokerAdmin, this.cpu, this.progress, worker, this.results)
				.run(worker.scenario());
		}
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
					case "heap" -> new HeapScenario(this.options, this.admin, this.progress).run(this.heapRows);
					case "storm" -> table = new StormScenario(this.options, this.admin, this.progress).run();
					case "flood" -> table = new FloodScenario(this.options, this.admin, this.progress).run();
					default -> {
						RoundScenarios rounds = new RoundScenarios(this.options, this.runId, this.admin, this.cpu,
								this.progress, null, this.results);
						for (String key : RoundScenarios.keys(scenario, this.options.prefetches)) {
							rounds.run(key);
						}
					}
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
		this.out.println("- broker: " + this.admin.brokerVersion() + " at "
				+ RabbitConfig.builder().url(this.options.url).build().maskedUrl()
				+ (this.cpu.seesBroker() ? " (its CPU time is read from /proc: broker CPU column)" : ""));
		this.out.println("- sizes: " + this.options);
		this.out.println("- message: " + Payload.SIZE + " bytes, persistent, durable classic queue, default exchange; "
				+ "publishers pipeline at most " + Session.WINDOW
				+ " unconfirmed messages (except 'wait each confirm')");
		this.out.println();
	}

	// ---------------------------------------------------------------- formatting

	static String count(long count) {
		return String.format(Locale.ROOT, "%,d", count);
	}

	static String mib(long bytes) {
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
	}

}
