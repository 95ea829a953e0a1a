package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The opt-in {@code protocols} scenarios (issue 33): on RabbitMQ 4, the raw AMQP 0-9-1
 * client, RabbitMQ's raw AMQP 1.0 client, and zephcast over each protocol, publish-only,
 * consume-only and publish + consume at each prefetch (link credit on AMQP 1.0), with
 * {@link RoundScenarios}' trials: the same queue, message shape, in-flight window,
 * rounds, order and CPU readings. The ratio columns read contender / raw 0-9-1; a pair
 * table ({@link #pairs}) gives zephcast against the raw client of its protocol and AMQP
 * 1.0 against 0-9-1.
 */
final class ProtocolScenarios {

	/** Every key of this set starts with it. */
	static final String PREFIX = "protocols-";

	/**
	 * The 0-9-1 baseline first (the ratio columns are against it), each raw client
	 * sending the message shape zephcast sends over its protocol, then zephcast over each
	 * protocol: a new client per trial, public API only.
	 */
	static final List<Contender> CONTENDERS = List.of(Contender.RAW_AMQP091, Contender.RAW_AMQP10,
			Contender.ZEPHCAST_AMQP091, Contender.ZEPHCAST_AMQP10);

	/** zephcast over AMQP 1.0 against the raw AMQP 1.0 client: issue 33's goal. */
	static final double ZEPHCAST_TARGET = 0.95;

	/** The pairs the scenarios compare: (contender, against), a label each. */
	private static final List<Pair> PAIRS = List.of(
			new Pair("zephcast 1.0 / raw 1.0", Contender.ZEPHCAST_AMQP10, Contender.RAW_AMQP10),
			new Pair("zephcast 0-9-1 / raw 0-9-1", Contender.ZEPHCAST_AMQP091, Contender.RAW_AMQP091),
			new Pair("raw 1.0 / raw 0-9-1", Contender.RAW_AMQP10, Contender.RAW_AMQP091),
			new Pair("zephcast 1.0 / zephcast 0-9-1", Contender.ZEPHCAST_AMQP10, Contender.ZEPHCAST_AMQP091));

	private record Pair(String label, Contender contender, Contender against) {
	}

	private final RoundScenarios scenarios;

	private final Options options;

	private final String brokerVersion;

	/**
	 * The scenarios.
	 * @param brokerVersion as {@link BrokerAdmin#brokerVersion()} gives it
	 */
	ProtocolScenarios(RoundScenarios scenarios, Options options, String brokerVersion) {
		this.scenarios = scenarios;
		this.options = options;
		this.brokerVersion = brokerVersion;
	}

	/** The keys: publish-only, then consume-only and publish + consume per prefetch. */
	static List<String> keys(List<Integer> prefetches) {
		List<String> keys = new ArrayList<>();
		keys.add(PREFIX + "publish");
		prefetches.forEach((prefetch) -> keys.add(PREFIX + "consume-p" + prefetch));
		prefetches.forEach((prefetch) -> keys.add(PREFIX + "pubsub-p" + prefetch));
		return keys;
	}

	/**
	 * Whether the broker speaks AMQP 1.0 as the scenarios need it: RabbitMQ 4 or later.
	 * @param brokerVersion e.g. {@code RabbitMQ 4.0.5}
	 */
	static boolean supports(String brokerVersion) {
		String version = brokerVersion.replaceFirst("^\\D*", "");
		int dot = version.indexOf('.');
		try {
			return Integer.parseInt((dot < 0) ? version : version.substring(0, dot)) >= 4;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * The table of the pairs a protocols scenario compares: msg/s and client CPU per
	 * message, each the median over rounds of the ratio within a round.
	 * @param result a protocols scenario's result
	 * @return the table, in Markdown, empty when no pair ran
	 */
	static String pairs(ScenarioResult result) {
		StringBuilder out = new StringBuilder();
		for (Pair pair : PAIRS) {
			if (result.has(pair.contender()) && result.has(pair.against())) {
				out.append("| ")
					.append(pair.label())
					.append(" | ")
					.append(ScenarioResult.ratio(result.rateRatio(pair.contender(), pair.against())))
					.append(" | ")
					.append(ScenarioResult.ratio(result.clientCpuRatio(pair.contender(), pair.against())))
					.append(" |\n");
			}
		}
		if (out.isEmpty()) {
			return "";
		}
		return "\n| pair (median over rounds of the ratio in a round) | msg/s | client CPU us/msg |\n|---|---:|---:|\n"
				+ out;
	}

	/** Runs the scenario with this key ({@link #keys}). */
	void run(String key) throws Exception {
		if (!supports(this.brokerVersion)) {
			throw new Session.BenchmarkFailure("the protocols scenarios need RabbitMQ 4.0 or later (AMQP 1.0 as a "
					+ "core protocol, address v2), the broker is " + this.brokerVersion);
		}
		String scenario = key.substring(PREFIX.length());
		if (scenario.equals("publish")) {
			this.scenarios.publishOnly(key, "AMQP 1.0 vs 0-9-1, publish-only with confirms / settlement: "
					+ BenchmarkMain.count(this.options.messages) + " msgs per trial", CONTENDERS);
			return;
		}
		int prefetch = Integer.parseInt(scenario.substring(scenario.indexOf("-p") + 2));
		if (scenario.startsWith("consume-")) {
			this.scenarios.consumeOnly(key, prefetch, CONTENDERS);
			return;
		}
		int messages = (prefetch == 1) ? this.options.backlogPrefetch1 : this.options.messages;
		this.scenarios.flowScenario(key,
				"AMQP 1.0 vs 0-9-1, publish + consume together: " + BenchmarkMain.count(messages)
						+ " msgs per trial, prefetch / credit " + prefetch + ", one consumer",
				CONTENDERS, prefetch, 1, 0, messages);
	}

}
