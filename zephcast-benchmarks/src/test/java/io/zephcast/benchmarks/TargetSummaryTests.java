package io.zephcast.benchmarks;

import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.zephcast.benchmarks.ScenarioResult.Trial;

import static org.assertj.core.api.Assertions.assertThat;

class TargetSummaryTests {

	@Test
	void publishAndConsumeIsATargetAtEachPrefetchWithTheSameMessageReferenceBesideIt() {
		ScenarioResult p250 = new ScenarioResult("pubsub-p250", "publish + consume", "send -> consumer",
				List.of(Contender.RAW, Contender.RAW_ZEPHCAST_PROPERTIES, Contender.RAW_MANDATORY,
						Contender.RAW_ID_AND_TIMESTAMP, Contender.ZEPHCAST_PUSH, Contender.ZEPHCAST_PULL));
		p250.add(trial(Contender.RAW, 10_000, 20));
		p250.add(trial(Contender.RAW_ZEPHCAST_PROPERTIES, 9_000, 21));
		p250.add(trial(Contender.RAW_MANDATORY, 10_100, 20));
		p250.add(trial(Contender.RAW_ID_AND_TIMESTAMP, 9_200, 20));
		p250.add(trial(Contender.ZEPHCAST_PUSH, 9_000, 24));
		p250.add(trial(Contender.ZEPHCAST_PULL, 9_900, 21));
		ScenarioResult p1 = new ScenarioResult("pubsub-p1", "publish + consume", "send -> consumer",
				List.of(Contender.RAW, Contender.ZEPHCAST_PUSH));
		p1.add(trial(Contender.RAW, 3_000, 20));
		p1.add(trial(Contender.ZEPHCAST_PUSH, 3_000, 20));
		String summary = new TargetSummary(Options.parse(new String[0]), List.of(p250, p1), List.of()).render();
		assertThat(summary)
			.contains("| zephcast push (subscribe) msg/s, publish + consume, prefetch 250 | 0.90x | >= 0.95x | SHORT |")
			.contains(
					"| zephcast pull (iterate+ack) msg/s, publish + consume, prefetch 250 | 0.99x | >= 0.95x | PASS |")
			.contains("| zephcast push (subscribe) client CPU per msg, publish + consume, prefetch 250 | 1.20x "
					+ "| <= 1.10x | SHORT |")
			.contains("| zephcast pull (iterate+ack) client CPU per msg, publish + consume, prefetch 250 | 1.05x "
					+ "| <= 1.10x | PASS |")
			.contains("| raw sending zephcast's message properties msg/s, publish + consume, prefetch 250 | 0.90x "
					+ "| (reference) | info |")
			.contains(
					"| raw + mandatory flag only msg/s, publish + consume, prefetch 250 | 1.01x | (reference) | info |")
			.contains("| raw + message id and timestamp only msg/s, publish + consume, prefetch 250 | 0.92x "
					+ "| (reference) | info |")
			.contains("| zephcast push (subscribe) msg/s vs raw sending the same message, prefetch 250 | 1.00x "
					+ "| (reference) | info |")
			.contains("| zephcast pull (iterate+ack) msg/s vs raw sending the same message, prefetch 250 | 1.10x "
					+ "| (reference) | info |")
			.contains("| zephcast push (subscribe) client CPU per msg vs raw sending the same message, prefetch 250 "
					+ "| 1.14x | (reference) | info |")
			.contains("| zephcast pull (iterate+ack) client CPU per msg vs raw sending the same message, prefetch 250 "
					+ "| 1.00x | (reference) | info |")
			.contains("| zephcast push (subscribe) msg/s, publish + consume, prefetch 1 | 1.00x | >= 0.95x | PASS |")
			.doesNotContain("same message, prefetch 1 |")
			.doesNotContain("prefetch 1000");
	}

	@Test
	void sendIsATargetForClientCpuAsWellAsRate() {
		ScenarioResult publish = new ScenarioResult("publish", "publish-only", "send -> confirm",
				List.of(Contender.RAW, Contender.ZEPHCAST_SEND));
		publish.add(trial(Contender.RAW, 20_000, 4.0));
		publish.add(trial(Contender.ZEPHCAST_SEND, 19_600, 4.6));
		String summary = new TargetSummary(Options.parse(new String[0]), List.of(publish), List.of()).render();
		assertThat(summary).contains("| zephcast send msg/s, publish-only | 0.98x | >= 0.95x | PASS |")
			.contains("| zephcast send client CPU per msg, publish-only | 1.15x | <= 1.10x | SHORT |");
	}

	/** A trial of one second: its rate is its message count. */
	private static Trial trial(Contender contender, double rate, double clientCpu) {
		Histogram latency = new Histogram(3);
		latency.recordValue(1_000);
		return new Trial(contender, 0, (long) rate, 1.0, latency, null, new double[] { clientCpu, 0, 50 });
	}

}
