package io.zephcast.benchmarks;

import java.util.List;
import java.util.Locale;

/**
 * The summary of a run: each measured ratio to the raw client against its target.
 * Informational: a ratio short of its target does not fail the run.
 */
final class TargetSummary {

	private static final double SEND_TARGET = 0.95;

	private static final double CONSUME_TARGET = 0.95;

	/**
	 * Client CPU per message of zephcast's send and consumers, at most this times raw's.
	 */
	private static final double CPU_TARGET = 1.10;

	private static final double P99_TARGET = 1.2;

	/** Meters and observations on may cost at most 5 % of the msg/s... */
	private static final double OBSERVED_RATE_TARGET = 0.95;

	/** ...and at most 10 % more client CPU per message. */
	private static final double OBSERVED_CPU_TARGET = 1.10;

	private final Options options;

	private final List<ScenarioResult> results;

	private final List<HeapScenario.HeapRow> heapRows;

	TargetSummary(Options options, List<ScenarioResult> results, List<HeapScenario.HeapRow> heapRows) {
		this.options = options;
		this.results = results;
		this.heapRows = heapRows;
	}

	/**
	 * The table of targets.
	 * @return the table, in Markdown
	 */
	String render() {
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
			target(out, "zephcast send client CPU per msg, publish-only",
					publish.clientCpuRatio(Contender.ZEPHCAST_SEND, Contender.RAW), CPU_TARGET, false);
		}
		for (ScenarioResult result : this.results) {
			if (result.key.startsWith(ProtocolScenarios.PREFIX) && result.has(Contender.ZEPHCAST_AMQP10)
					&& result.has(Contender.RAW_AMQP10)) {
				target(out, "zephcast over AMQP 1.0 msg/s vs the raw AMQP 1.0 client, " + result.key,
						result.rateRatio(Contender.ZEPHCAST_AMQP10, Contender.RAW_AMQP10),
						ProtocolScenarios.ZEPHCAST_TARGET, true);
			}
		}
		prefetchTargets(out, "consume-p", "consume-only");
		prefetchTargets(out, "pubsub-p", "publish + consume");
		prefetchTargets(out, "backlog-p", "backlog, new client, no warm-up");
		ScenarioResult latency = result("latency");
		if (latency != null) {
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
				if (latency.has(contender)) {
					target(out, contender.name() + " p99 end-to-end at " + BenchmarkMain.count(this.options.rate)
							+ " msg/s", latency.p99Ratio(contender), P99_TARGET, false);
				}
			}
		}
		for (HeapScenario.HeapRow row : this.heapRows) {
			if (row.contender().family() == Contender.Family.ZEPHCAST) {
				out.append("| heap: ")
					.append(row.label())
					.append(" | held <= ")
					.append(BenchmarkMain.count(row.maxHeld()))
					.append(", heap +")
					.append(BenchmarkMain.mib(row.maxHeap() - row.heapBefore()))
					.append(" | held <= prefetch | ")
					.append(row.bounded() ? "PASS" : "SHORT")
					.append(" |\n");
			}
		}
		observedTargets(out, result("publish"), Contender.ZEPHCAST_SEND_OBSERVED, Contender.ZEPHCAST_SEND,
				"publish-only");
		for (String key : List.of("pubsub-p250", "latency", "group")) {
			observedTargets(out, result(key), Contender.ZEPHCAST_PUSH_OBSERVED, Contender.ZEPHCAST_PUSH, key);
		}
		ScenarioResult group = result("group");
		if (group != null) {
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
				if (group.has(contender)) {
					info(out, contender.name() + " msg/s, consumer group of 3", group.rateRatio(contender));
				}
			}
		}
		return out.toString();
	}

	/**
	 * Push and pull against raw in a scenario run at each prefetch (its results keyed
	 * {@code <keyPrefix><prefetch>}), rate and client CPU per message, and the
	 * same-message reference where it ran. In publish + consume the CPU is the client's
	 * send and consumption together, as the issue's own figures were.
	 */
	private void prefetchTargets(StringBuilder out, String keyPrefix, String scenario) {
		for (int prefetch : Options.ALL_PREFETCHES) {
			ScenarioResult result = result(keyPrefix + prefetch);
			if (result == null) {
				continue;
			}
			for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL,
					Contender.ZEPHCAST_RECEIVE)) {
				if (!result.has(contender)) {
					continue;
				}
				target(out, contender.name() + " msg/s, " + scenario + ", prefetch " + prefetch,
						result.rateRatio(contender), CONSUME_TARGET, true);
				target(out, contender.name() + " client CPU per msg, " + scenario + ", prefetch " + prefetch,
						result.clientCpuRatio(contender, Contender.RAW), CPU_TARGET, false);
			}
			sameMessageReference(out, result, prefetch);
		}
	}

	/**
	 * zephcast against raw sending the same message (zephcast's message id, timestamp and
	 * mandatory flag): the client's own cost, with the message's cost taken out. Not a
	 * target: the reference that tells the two apart. The message costs the client too:
	 * raw encodes and parses the id and timestamp, and a broker slowed by them sends
	 * smaller batches of confirms and deliveries, each with its own wake-ups.
	 */
	private static void sameMessageReference(StringBuilder out, ScenarioResult flow, int prefetch) {
		if (!flow.has(Contender.RAW_ZEPHCAST_PROPERTIES)) {
			return;
		}
		info(out, "raw sending zephcast's message properties msg/s, publish + consume, prefetch " + prefetch,
				flow.rateRatio(Contender.RAW_ZEPHCAST_PROPERTIES));
		for (Contender half : List.of(Contender.RAW_MANDATORY, Contender.RAW_ID_AND_TIMESTAMP, Contender.RAW_MESSAGE_ID,
				Contender.RAW_TIMESTAMP)) {
			if (flow.has(half)) {
				info(out, half.name() + " msg/s, publish + consume, prefetch " + prefetch, flow.rateRatio(half));
			}
		}
		for (Contender contender : List.of(Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL)) {
			if (flow.has(contender)) {
				info(out, contender.name() + " msg/s vs raw sending the same message, prefetch " + prefetch,
						flow.rateRatio(contender, Contender.RAW_ZEPHCAST_PROPERTIES));
				info(out,
						contender.name() + " client CPU per msg vs raw sending the same message, prefetch " + prefetch,
						flow.clientCpuRatio(contender, Contender.RAW_ZEPHCAST_PROPERTIES));
			}
		}
	}

	private static void info(StringBuilder out, String what, double measured) {
		out.append("| ")
			.append(what)
			.append(" | ")
			.append(ScenarioResult.ratio(measured))
			.append(" | (reference) | info |\n");
	}

	/** The cost of meters and observations: on against off, in the same rounds. */
	private static void observedTargets(StringBuilder out, ScenarioResult result, Contender observed, Contender plain,
			String scenario) {
		if (result == null || !result.has(observed) || !result.has(plain)) {
			return;
		}
		target(out, "meters+observations on/off msg/s, " + scenario, result.rateRatio(observed, plain),
				OBSERVED_RATE_TARGET, true);
		target(out, "meters+observations on/off client CPU per msg, " + scenario,
				result.clientCpuRatio(observed, plain), OBSERVED_CPU_TARGET, false);
	}

	private static void target(StringBuilder out, String what, double measured, double goal, boolean atLeast) {
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

}
