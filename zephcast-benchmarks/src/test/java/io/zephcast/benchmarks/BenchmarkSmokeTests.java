package io.zephcast.benchmarks;

import java.util.List;

import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI smoke: every scenario, tiny, against the broker under test
 * ({@link RabbitBroker#url()}). It asserts nothing about speed, only that no scenario
 * loses, duplicates or fails a message, and that a run leaves no queue behind (queues
 * piling up on the broker slow every later run).
 */
class BenchmarkSmokeTests {

	@Test
	void everyScenarioRunsWithoutLosingDuplicatingOrFailingAMessage() {
		List<String> before = RabbitBroker.management().queueNames("zc-bench-");
		assertThat(BenchmarkMain.run("--smoke", "--url=" + RabbitBroker.url()))
			.as("exit code of the benchmark smoke (see its output)")
			.isZero();
		assertThat(RabbitBroker.management().queueNames("zc-bench-")).as("queues the run left on the broker")
			.isSubsetOf(before);
	}

	/**
	 * {@code --fork}: each contender in a JVM of its own, its trials' results sent back
	 * to this one (one scenario with every kind of contender: raw, zephcast, Spring).
	 */
	@Test
	void aScenarioWithEachContenderInAJvmOfItsOwnRunsWithoutLosingDuplicatingOrFailingAMessage() {
		List<String> before = RabbitBroker.management().queueNames("zc-bench-");
		assertThat(BenchmarkMain.run("--smoke", "--url=" + RabbitBroker.url(), "--fork", "--scenarios=consume",
				"--prefetches=250"))
			.as("exit code of the forked benchmark smoke (see its output)")
			.isZero();
		assertThat(RabbitBroker.management().queueNames("zc-bench-")).as("queues the run left on the broker")
			.isSubsetOf(before);
	}

}
