package io.zephcast.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class OptionsTests {

	@Test
	void explicitSizesWinOverTheSmokeDefaults() {
		Options options = Options.parse(new String[] { "--messages=5000", "--smoke", "--scenarios=publish,heap" });
		assertThat(options.smoke).isTrue();
		assertThat(options.messages).isEqualTo(5000);
		assertThat(options.rounds).isEqualTo(1);
		assertThat(options.scenarios).containsExactly("publish", "heap");
	}

	@Test
	void numbersMayHaveSeparators() {
		assertThat(Options.parse(new String[] { "--heap-backlog=1_000_000" }).heapBacklog).isEqualTo(1_000_000);
		assertThat(Options.parse(new String[] { "--messages=200,000" }).messages).isEqualTo(200_000);
	}

	@Test
	void unknownOptionsAndScenariosAreRejected() {
		assertThatExceptionOfType(Options.UsageException.class)
			.isThrownBy(() -> Options.parse(new String[] { "--mesages=1" }))
			.withMessageContaining("Unknown option '--mesages'");
		assertThatExceptionOfType(Options.UsageException.class)
			.isThrownBy(() -> Options.parse(new String[] { "--scenarios=publish,nope" }))
			.withMessageContaining("nope");
		assertThatExceptionOfType(Options.UsageException.class)
			.isThrownBy(() -> Options.parse(new String[] { "--rounds=0" }));
	}

	@Test
	void theRawBaselineAlwaysRuns() {
		Options options = Options.parse(new String[] { "--contenders=pull" });
		assertThat(options.runs(Contender.RAW)).isTrue();
		assertThat(options.runs(Contender.ZEPHCAST_PULL)).isTrue();
		assertThat(options.runs(Contender.ZEPHCAST_PUSH)).isFalse();
	}

	@Test
	void prefetchesChooseWhichOfTheThreeRunAndThreadCpuIsAFlag() {
		Options defaults = Options.parse(new String[0]);
		assertThat(defaults.prefetches).containsExactly(1, 250, 1000);
		assertThat(defaults.threadCpu).isFalse();
		Options chosen = Options.parse(new String[] { "--prefetches=250,1000", "--thread-cpu" });
		assertThat(chosen.prefetches).containsExactly(250, 1000);
		assertThat(chosen.threadCpu).isTrue();
		assertThatExceptionOfType(Options.UsageException.class)
			.isThrownBy(() -> Options.parse(new String[] { "--prefetches=100" }))
			.withMessageContaining("--prefetches takes 1, 250 and 1000, was 100");
	}

	@Test
	void contendersForkWhenAskedAndAWorkerKnowsItsScenarioAndContender() {
		assertThat(Options.parse(new String[0]).fork).isFalse();
		assertThat(Options.parse(new String[] { "--fork" }).fork).isTrue();
		Options worker = Options.parse(new String[] { "--smoke", "--run-id=ab12cd", "--worker=consume-p250:3" });
		assertThat(worker.worker).isEqualTo(new Options.Worker("consume-p250", 3));
		assertThat(worker.runId).isEqualTo("ab12cd");
		assertThat(worker.arguments).containsExactly("--smoke", "--run-id=ab12cd", "--worker=consume-p250:3");
		assertThatExceptionOfType(Options.UsageException.class)
			.isThrownBy(() -> Options.parse(new String[] { "--worker=consume-p250" }))
			.withMessageContaining("--worker takes <scenario key>:<contender index>");
	}

	@Test
	void theProtocolScenariosAreOptInAndRunPublishThenConsumeAndPublishPlusConsumePerPrefetch() {
		assertThat(Options.parse(new String[0]).scenarios).doesNotContain("protocols");
		Options options = Options.parse(new String[] { "--scenarios=protocols", "--prefetches=1,250" });
		assertThat(options.scenarios).containsExactly("protocols");
		assertThat(RoundScenarios.keys("protocols", options.prefetches)).containsExactly("protocols-publish",
				"protocols-consume-p1", "protocols-consume-p250", "protocols-pubsub-p1", "protocols-pubsub-p250");
	}

	@Test
	void theProtocolScenariosNeedRabbitMq4() {
		assertThat(ProtocolScenarios.supports("RabbitMQ 4.0.5")).isTrue();
		assertThat(ProtocolScenarios.supports("RabbitMQ 4.1.0")).isTrue();
		assertThat(ProtocolScenarios.supports("RabbitMQ 3.10.25")).isFalse();
		assertThat(ProtocolScenarios.supports("RabbitMQ ?")).isFalse();
	}

	@Test
	void theAmqp10ClientGetsTheDefaultVirtualHostSpelledOut() {
		assertThat(Amqp10Session.uri("amqp://guest:guest@127.0.0.1:5690/"))
			.isEqualTo("amqp://guest:guest@127.0.0.1:5690/%2f");
		assertThat(Amqp10Session.uri("amqp://guest:guest@127.0.0.1:5690"))
			.isEqualTo("amqp://guest:guest@127.0.0.1:5690/%2f");
		assertThat(Amqp10Session.uri("amqp://u:p@host:5690/other")).isEqualTo("amqp://u:p@host:5690/other");
	}

}
