package io.zephcast.benchmarks;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import io.zephcast.benchmarks.ScenarioResult.Trial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What a forked contender sends back: a trial crosses the process boundary whole, its
 * latency histogram and CPU readings included, since the tables are built from them.
 */
class TrialWorkerTests {

	@Test
	void aTrialCrossesTheProcessBoundaryWhole() {
		Histogram latency = new Histogram(3);
		for (long micros = 1; micros <= 5_000; micros += 7) {
			latency.recordValue(micros);
		}
		Trial sent = new Trial(Contender.ZEPHCAST_PUSH, 4, 60_000, 1.8734, latency, "split 34%\t33%\n33%",
				new double[] { 10.125, 0.25, 36.5 });
		String line = TrialWorker.encode(sent);
		assertThat(line).doesNotContain("\n");
		Trial received = TrialWorker.decode(Contender.ZEPHCAST_PUSH, line);
		assertThat(received.round()).isEqualTo(4);
		assertThat(received.messages()).isEqualTo(60_000);
		assertThat(received.seconds()).isEqualTo(1.8734);
		assertThat(received.cpu()).containsExactly(10.125, 0.25, 36.5);
		assertThat(received.note()).isEqualTo("split 34% 33% 33%");
		assertThat(received.latency()).isEqualTo(latency);
		assertThat(received.latency().getValueAtPercentile(99)).isEqualTo(latency.getValueAtPercentile(99));
	}

	@Test
	void aTrialWithoutCpuNoteOrLatencyStaysWithout() {
		Trial sent = new Trial(Contender.RAW, -1, 300, 0.5, new Histogram(3), null, null);
		Trial received = TrialWorker.decode(Contender.RAW, TrialWorker.encode(sent));
		assertThat(received.note()).isNull();
		assertThat(received.cpu()).isNull();
		assertThat(received.latency().getTotalCount()).isZero();
	}

	@Test
	void aFailedTrialSaysWhyAndAnythingElseIsRefused() {
		String answer = "FAILED io.zephcast.benchmarks.Session$BenchmarkFailure: 3 duplicate deliveries";
		assertThat(TrialWorker.isFailure(answer)).isTrue();
		assertThat(TrialWorker.failure(answer)).endsWith("3 duplicate deliveries");
		assertThat(TrialWorker.isFailure(TrialWorker.request(1, 100))).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> TrialWorker.decode(Contender.RAW, "hello"))
			.withMessageContaining("not a trial: hello");
	}

}
