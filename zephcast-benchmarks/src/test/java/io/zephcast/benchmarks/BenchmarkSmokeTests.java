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

	/**
	 * The opt-in {@code protocols} scenarios (raw AMQP 0-9-1, the raw AMQP 1.0 client,
	 * zephcast over AMQP 0-9-1 and zephcast over AMQP 1.0: every scenario runs all four,
	 * and any lost, duplicated or failed message of any of them fails the run), tiny:
	 * RabbitMQ 4 only (AMQP 1.0 as a core protocol, address v2), so a run against a 3.x
	 * broker fails saying which broker to use rather than skipping.
	 */
	@Test
	void theProtocolScenariosRunWithoutLosingDuplicatingOrFailingAMessageOverEitherProtocolRawOrZephcast() {
		assertThat(RabbitBroker.majorVersion())
			.as("the protocols scenario needs RabbitMQ 4 (AMQP 1.0 address v2): run the benchmark tests on the "
					+ "4.0 broker (.ci/rabbitmq4-up, the build's default zephcast.test.broker.url), not -Pbroker-3.10")
			.isGreaterThanOrEqualTo(4);
		List<String> before = RabbitBroker.management().queueNames("zc-bench-");
		assertThat(BenchmarkMain.run("--smoke", "--url=" + RabbitBroker.url(), "--scenarios=protocols"))
			.as("exit code of the protocols smoke (see its output)")
			.isZero();
		assertThat(RabbitBroker.management().queueNames("zc-bench-")).as("queues the run left on the broker")
			.isSubsetOf(before);
	}

}
