package io.zephcast.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI smoke: every scenario, tiny, against the broker at {@code ZEPHCAST_RABBIT_URL}.
 * It asserts nothing about speed, only that no scenario loses, duplicates or fails a
 * message.
 */
class BenchmarkSmokeTests {

	@Test
	void everyScenarioRunsWithoutLosingDuplicatingOrFailingAMessage() {
		assertThat(BenchmarkMain.run("--smoke")).as("exit code of the benchmark smoke (see its output)").isZero();
	}

}
