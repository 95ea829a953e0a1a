package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Command-line options. Every size has a full-run default (a run of a few minutes on a
 * 2-core machine) and a {@code --smoke} default (every scenario tiny, a few seconds
 * each). Explicit options win over both.
 */
final class Options {

	static final List<String> ALL_SCENARIOS = List.of("publish", "consume", "pubsub", "backlog", "latency", "group",
			"heap", "storm");

	/** Scenarios that run only when asked for by name. */
	static final List<String> OPT_IN_SCENARIOS = List.of("flood", "protocols");

	/** The prefetches consume-only and publish + consume can run at. */
	static final List<Integer> ALL_PREFETCHES = List.of(1, 250, 1000);

	String url = "amqp://guest:guest@localhost:5672/";

	boolean smoke;

	/** Messages per trial for publish-only, publish + consume and the consumer group. */
	int messages = 60_000;

	/**
	 * Backlog per trial for consume-only and the backlog scenario at prefetch 250 and
	 * 1,000.
	 */
	int backlog = 60_000;

	/**
	 * Messages per trial at prefetch 1, consume-only's backlog and publish + consume's
	 * (far slower: one round trip per message).
	 */
	int backlogPrefetch1 = 10_000;

	/**
	 * Measured rounds; every contender runs once per round, in a balanced order
	 * ({@link RoundOrder}); at least as many rounds as contenders are rounded up to a
	 * whole number of cycles ({@link RoundOrder#balancedRounds}).
	 */
	int rounds = 3;

	/**
	 * Messages per warm-up trial (one per contender before the measured rounds); 0 to
	 * skip.
	 */
	int warmup = 5_000;

	/** Fixed publish rate of the latency scenario. */
	int rate = 1_000;

	/** Seconds per contender and round of the latency scenario. */
	int latencySeconds = 10;

	/** Healthy messages of the poison storm (one poison message in every 51). */
	int stormMessages = 50_000;

	/** Sends of the flood scenario, made without waiting for any. */
	int floodMessages = 3_000_000;

	/** Backlog of the heap scenario. */
	int heapBacklog = 1_000_000;

	/** Seconds each contender consumes slowly in the heap scenario. */
	int heapSeconds = 10;

	/** Milliseconds a slow consumer sleeps per message in the heap scenario. */
	int heapWorkMillis = 1;

	/**
	 * A trial stops publishing after this many seconds even if it has not sent all its
	 * messages (only the RabbitTemplate contender that waits for every confirm gets
	 * there); its rate is then what it confirmed in that time.
	 */
	int maxTrialSeconds = 10;

	/** How long a trial may wait for its messages before it counts as broken. */
	int timeoutSeconds = 180;

	Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);

	/**
	 * Whether each trial's client CPU per message is printed by thread (progress output),
	 * to find which thread spends it.
	 */
	boolean threadCpu;

	/** The prefetches consume-only, publish + consume and the backlog run at. */
	List<Integer> prefetches = ALL_PREFETCHES;

	/**
	 * Substrings of contender names to run (besides the raw baseline, which always runs);
	 * empty = all.
	 */
	List<String> contenders = List.of();

	/**
	 * Whether the round scenarios run each contender in a JVM of its own
	 * ({@link ForkedTrials}) instead of all in this one.
	 */
	boolean fork;

	/** The command line, which forked contenders get too. */
	List<String> arguments = List.of();

	/** The run's id (queue names): a forked contender's is its parent's. */
	@Nullable String runId;

	/** Set in a forked contender's JVM: the one contender of one scenario it runs. */
	@Nullable Worker worker;

	/**
	 * What a forked contender's JVM runs.
	 *
	 * @param scenario the scenario's key ({@code consume-p250})
	 * @param contender the contender's index in the scenario's list
	 */
	record Worker(String scenario, int contender) {

		static Worker parse(String value) {
			int colon = value.lastIndexOf(':');
			if (colon < 1) {
				throw new UsageException("--worker takes <scenario key>:<contender index>, was '" + value + "'");
			}
			return new Worker(value.substring(0, colon), nonNegative("worker", value.substring(colon + 1)));
		}

	}

	boolean runs(Contender contender) {
		// the protocols scenarios' 0-9-1 baseline is theirs what raw is to the others
		return contender.isRaw() || contender.equals(Contender.RAW_AMQP091) || this.contenders.isEmpty()
				|| this.contenders.stream()
					.anyMatch((part) -> contender.name().toLowerCase(Locale.ROOT).contains(part));
	}

	static Options parse(String[] args) {
		Options options = new Options();
		options.arguments = List.of(args);
		String env = System.getenv("ZEPHCAST_RABBIT_URL");
		if (env != null && !env.isBlank()) {
			options.url = env;
		}
		List<String> explicit = new ArrayList<>();
		for (String arg : args) {
			if (arg.equals("--smoke")) {
				options.smoke();
			}
		}
		for (String arg : args) {
			if (arg.equals("--smoke")) {
				continue;
			}
			if (arg.equals("--thread-cpu")) {
				options.threadCpu = true;
				continue;
			}
			if (arg.equals("--fork")) {
				options.fork = true;
				continue;
			}
			if (arg.equals("--help") || arg.equals("-h")) {
				throw new UsageException(usage());
			}
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new UsageException("Unknown argument '" + arg + "'\n" + usage());
			}
			String key = arg.substring(2, arg.indexOf('='));
			String value = arg.substring(arg.indexOf('=') + 1);
			explicit.add(key);
			switch (key) {
				case "url" -> options.url = value;
				case "messages" -> options.messages = positive(key, value);
				case "backlog" -> options.backlog = positive(key, value);
				case "backlog-prefetch1" -> options.backlogPrefetch1 = positive(key, value);
				case "rounds" -> options.rounds = positive(key, value);
				case "warmup" -> options.warmup = nonNegative(key, value);
				case "rate" -> options.rate = positive(key, value);
				case "latency-seconds" -> options.latencySeconds = positive(key, value);
				case "heap-backlog" -> options.heapBacklog = positive(key, value);
				case "storm-messages" -> options.stormMessages = positive(key, value);
				case "flood-messages" -> options.floodMessages = positive(key, value);
				case "heap-seconds" -> options.heapSeconds = positive(key, value);
				case "heap-work-millis" -> options.heapWorkMillis = nonNegative(key, value);
				case "max-trial-seconds" -> options.maxTrialSeconds = positive(key, value);
				case "timeout-seconds" -> options.timeoutSeconds = positive(key, value);
				case "scenarios" -> options.scenarios = scenarios(value);
				case "prefetches" -> options.prefetches = prefetches(value);
				case "contenders" -> options.contenders = List.of(value.toLowerCase(Locale.ROOT).split(","));
				case "run-id" -> options.runId = value;
				case "worker" -> options.worker = Worker.parse(value);
				default -> throw new UsageException("Unknown option '--" + key + "'\n" + usage());
			}
		}
		return options;
	}

	private void smoke() {
		this.smoke = true;
		this.messages = 2_000;
		this.backlog = 2_000;
		this.backlogPrefetch1 = 300;
		this.rounds = 1;
		this.warmup = 0;
		this.latencySeconds = 1;
		this.heapBacklog = 10_000;
		this.stormMessages = 2_000;
		this.floodMessages = 20_000;
		this.heapSeconds = 1;
		this.maxTrialSeconds = 5;
		this.timeoutSeconds = 60;
	}

	private static Set<String> scenarios(String value) {
		Set<String> chosen = new LinkedHashSet<>();
		for (String name : value.split(",")) {
			String scenario = name.trim().toLowerCase(Locale.ROOT);
			if (!ALL_SCENARIOS.contains(scenario) && !OPT_IN_SCENARIOS.contains(scenario)) {
				throw new UsageException("Unknown scenario '" + scenario + "'; known: " + ALL_SCENARIOS);
			}
			chosen.add(scenario);
		}
		return chosen;
	}

	private static List<Integer> prefetches(String value) {
		if (value.trim().equalsIgnoreCase("none")) {
			// publish-only alone (the protocols scenarios' publish, without the others)
			return List.of();
		}
		List<Integer> chosen = new ArrayList<>();
		for (String prefetch : value.split(",")) {
			int number = positive("prefetches", prefetch.trim());
			if (!ALL_PREFETCHES.contains(number)) {
				throw new UsageException("--prefetches takes 1, 250 and 1000, was " + number);
			}
			chosen.add(number);
		}
		return List.copyOf(chosen);
	}

	private static int positive(String key, String value) {
		int number = number(key, value);
		if (number <= 0) {
			throw new UsageException("--" + key + " must be positive, was " + value);
		}
		return number;
	}

	private static int nonNegative(String key, String value) {
		int number = number(key, value);
		if (number < 0) {
			throw new UsageException("--" + key + " must not be negative, was " + value);
		}
		return number;
	}

	private static int number(String key, String value) {
		try {
			return Integer.parseInt(value.replace("_", "").replace(",", ""));
		}
		catch (NumberFormatException ex) {
			throw new UsageException("--" + key + " must be a number, was '" + value + "'");
		}
	}

	static String usage() {
		return """
				Usage: java -jar zephcast-benchmarks/target/zephcast-benchmarks.jar [options]
				  --smoke                  every scenario tiny (CI); fails only if a scenario breaks
				  --url=amqp://...         broker (default $ZEPHCAST_RABBIT_URL or amqp://guest:guest@localhost:5672/)
				  --scenarios=a,b          subset of publish,consume,pubsub,backlog,latency,group,heap,storm (default all),
				                           or flood (opt-in: sends without waiting, heap sampled)
				                           or protocols (opt-in, RabbitMQ 4: raw and zephcast over AMQP 0-9-1 and AMQP 1.0)
				  --contenders=a,b         only contenders whose name contains one of these (raw always runs)
				  --thread-cpu             print each trial's client CPU per message by thread (progress output)
				  --fork                   run each contender of publish, consume, pubsub, latency, group in a JVM of its own
				  --prefetches=a,b         consume-only, publish+consume, backlog at these of 1,250,1000 (all),
				                           or none (e.g. protocols: publish-only alone)
				  --messages=N             messages per trial: publish-only, publish+consume (prefetch 250, 1000), group (60000)
				  --backlog=N              backlog per trial, consume-only and backlog at prefetch 250 and 1000 (60000)
				  --backlog-prefetch1=N    messages per trial at prefetch 1: consume-only, publish+consume, backlog (10000)
				  --rounds=N               measured rounds, contenders in a balanced order (3;
				                           rounded up to a multiple of the contenders)
				  --warmup=N               messages per warm-up trial, 0 = none (5000; consume-only: up to a trial, at most 20000)
				  --rate=N                 msg/s of the fixed-rate latency scenario (1000)
				  --latency-seconds=N      seconds per latency trial (10)
				  --heap-backlog=N         backlog of the heap scenario (1000000)
				  --storm-messages=N       healthy messages of the poison storm, 1 in 51 poison (50000)
				  --flood-messages=N       sends of the flood scenario, none waited for (3000000)
				  --heap-seconds=N         seconds each heap contender consumes slowly (10)
				  --heap-work-millis=N     sleep per message of the slow heap consumer (1)
				  --max-trial-seconds=N    stop publishing in a trial after N s (10)
				  --timeout-seconds=N      a trial that waits longer for its messages is broken (180)
				""";
	}

	@Override
	public String toString() {
		return "messages=" + this.messages + " backlog=" + this.backlog + " backlog-prefetch1=" + this.backlogPrefetch1
				+ " rounds=" + this.rounds + " warmup=" + this.warmup + " rate=" + this.rate + " latency-seconds="
				+ this.latencySeconds + " heap-backlog=" + this.heapBacklog + " heap-seconds=" + this.heapSeconds
				+ (this.fork ? " (a JVM per contender)" : "") + (this.smoke ? " (smoke)" : "");
	}

	static final class UsageException extends RuntimeException {

		UsageException(String message) {
			super(message);
		}

	}

}
