package io.zephcast.benchmarks;

import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.zephcast.benchmarks.ScenarioResult.Trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ScenarioResultTests {

	private final ScenarioResult result = new ScenarioResult("publish", "publish-only", "send -> confirm",
			List.of(Contender.RAW, Contender.ZEPHCAST_SEND));

	@Test
	void ratiosPairEachTrialWithTheRawTrialOfTheSameRound() {
		// a noisy machine: round 1 is twice as fast for everyone
		this.result.add(trial(Contender.RAW, 0, 10_000, 1_000));
		this.result.add(trial(Contender.ZEPHCAST_SEND, 0, 9_000, 1_200));
		this.result.add(trial(Contender.RAW, 1, 20_000, 500));
		this.result.add(trial(Contender.ZEPHCAST_SEND, 1, 18_000, 600));
		assertThat(this.result.rateRatio(Contender.ZEPHCAST_SEND)).isCloseTo(0.9, within(1e-9));
		assertThat(this.result.p99Ratio(Contender.ZEPHCAST_SEND)).isCloseTo(1.2, within(0.01));
		assertThat(this.result.medianRate(Contender.ZEPHCAST_SEND)).isCloseTo(13_500, within(1e-9));
	}

	@Test
	void theTableHasARowPerContenderWithItsRatios() {
		this.result.add(trial(Contender.RAW, 0, 10_000, 1_000));
		this.result.add(trial(Contender.ZEPHCAST_SEND, 0, 9_500, 1_000));
		String table = this.result.render();
		assertThat(table).contains("### publish-only")
			.contains("| raw amqp-client | 10,000 |")
			.contains("| zephcast send | 9,500 |")
			.contains("| 0.95x |");
	}

	@Test
	void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
		assertThat(ScenarioResult.median(new double[] { 4, 1, 3, 2 })).isEqualTo(2.5);
		assertThat(ScenarioResult.median(new double[] { 5, 1, 3 })).isEqualTo(3);
		assertThat(ScenarioResult.median(new double[0])).isNaN();
	}

	@Test
	void payloadCarriesSendTimeAndSequence() {
		byte[] body = Payload.create(123_456_789L, 42);
		assertThat(body).hasSize(Payload.SIZE);
		assertThat(Payload.sentNanos(body)).isEqualTo(123_456_789L);
		assertThat(Payload.sequence(body)).isEqualTo(42);
	}

	@Test
	void sinkCountsDuplicatesAndCompletesAtTheExpectedCount() throws InterruptedException {
		Sink sink = new Sink(Sink.LatencyMode.END_TO_END, 10, 0);
		sink.expect(2);
		sink.onMessage(Payload.create(System.nanoTime(), 1), "a");
		sink.onMessage(Payload.create(System.nanoTime(), 1), "b");
		assertThat(sink.duplicates()).isEqualTo(1);
		assertThat(sink.await(1, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		assertThat(sink.perConsumer()).containsOnlyKeys("a", "b");
	}

	private static Trial trial(Contender contender, int round, double rate, long p99Micros) {
		Histogram latency = new Histogram(3);
		for (int i = 0; i < 100; i++) {
			latency.recordValue(p99Micros);
		}
		return new Trial(contender, round, (long) rate, 1.0, latency, null, new double[] { 10, 50, 2 });
	}

}
