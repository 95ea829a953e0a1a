package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import io.zephcast.benchmarks.ScenarioResult.Trial;

/**
 * Runs a round scenario's trials: warm-ups per contender until the JIT is done with it,
 * then the measured rounds in a balanced order, each contender in this JVM or, with
 * {@code --fork}, in one of its own. The scenarios ({@link RoundScenarios}) say what one
 * trial does; this says how often and in which order.
 */
final class RoundRunner {

	/** The most warm-up trials a contender gets before its rounds. */
	private static final int MAX_WARMUPS = 5;

	private final Options options;

	private final String runId;

	private final PrintStream progress;

	private final @Nullable TrialWorker worker;

	private final List<ScenarioResult> results;

	/**
	 * The runner.
	 * @param runId names the run's forked contenders' queues
	 * @param worker in a forked contender's JVM, the worker whose trials to run; else
	 * {@code null}
	 * @param results where each scenario's result goes once its rounds are done
	 */
	RoundRunner(Options options, String runId, PrintStream progress, @Nullable TrialWorker worker,
			List<ScenarioResult> results) {
		this.options = options;
		this.runId = runId;
		this.progress = progress;
		this.worker = worker;
		this.results = results;
	}

	/** One trial of a contender: {@code round} -1 is a warm-up. */
	@FunctionalInterface
	interface TrialBody {

		Trial run(Contender contender, int round, int size) throws Exception;

	}

	/** Runs the rounds with warm-ups as long as {@code --warmup} (at most a trial). */
	void run(ScenarioResult result, TrialBody body, int size) throws Exception {
		run(result, body, size, Math.min(size, this.options.warmup));
	}

	/**
	 * Warm-up trials per contender (not recorded, {@link #warmUp}), then the measured
	 * rounds, each in the order {@link RoundOrder} gives: no contender always runs first
	 * or last, or always after the same one. With {@code --fork} each contender runs in a
	 * JVM of its own ({@link ForkedTrials}); in such a JVM this serves the parent's
	 * requests for its contender's trials instead.
	 */
	void run(ScenarioResult result, TrialBody body, int size, int warmup) throws Exception {
		if (this.worker != null) {
			this.worker.serve(result, body);
			return;
		}
		List<Contender> contenders = result.contenders().stream().filter(this.options::runs).toList();
		try (ForkedTrials forked = this.options.fork
				? new ForkedTrials(this.options, this.runId, result.key, result.contenders()) : null) {
			TrialBody trials = (forked != null) ? forked::run : body;
			if (warmup > 0) {
				for (Contender contender : contenders) {
					warmUp(result.key, trials, contender, warmup);
				}
				this.progress.println("[" + result.key + "] warmed up");
			}
			int rounds = RoundOrder.balancedRounds(contenders.size(), this.options.rounds);
			if (rounds != this.options.rounds) {
				this.progress.println("[" + result.key + "] " + rounds + " rounds instead of " + this.options.rounds
						+ ": a whole number of cycles, each contender first, second, ... equally often");
			}
			for (int round = 0; round < rounds; round++) {
				for (int index : RoundOrder.of(contenders.size(), round)) {
					Contender contender = contenders.get(index);
					Trial trial = trials.run(contender, round, size);
					result.add(trial);
					this.progress.printf(Locale.ROOT,
							"[%s] round %d/%d %-38s %,10.0f msg/s  p99 %s ms  client CPU %s us/msg%n", result.key,
							round + 1, rounds, contender.name(), trial.rate(),
							(trial.latency().getTotalCount() > 0) ? String.format(Locale.ROOT, "%.2f",
									trial.latency().getValueAtPercentile(99) / 1000.0) : "n/a",
							(trial.cpu() != null) ? ScenarioResult.micros(trial.cpu()[0]) : "n/a");
				}
			}
		}
		this.results.add(result);
	}

	/**
	 * Warm-up trials (not recorded) until the JIT compiler is done with the contender's
	 * path: its CPU in the last warm-up at most 5 % of the client's (or two clock ticks),
	 * at most {@value #MAX_WARMUPS} trials. A contender in a JVM of its own compiles
	 * everything it runs itself, where in a shared JVM the contenders before it had
	 * compiled the code they share (amqp-client's): one warm-up left a forked consumer at
	 * prefetch 1 still compiling in the measured rounds (4-6 us of JIT CPU per message).
	 */
	private void warmUp(String key, TrialBody trials, Contender contender, int size) throws Exception {
		for (int warmup = 1; warmup <= MAX_WARMUPS; warmup++) {
			Trial trial = trials.run(contender, -1, size);
			// client and JIT CPU per message (CpuClock.perMessage), here for the whole
			// trial: /proc counts in 10 ms clock ticks, so two ticks of compiling count
			// as done
			double[] cpu = trial.cpu();
			double client = (cpu != null) ? cpu[0] * trial.messages() : 0;
			double jit = (cpu != null) ? cpu[2] * trial.messages() : Double.NaN;
			if (Double.isNaN(jit) || jit <= Math.max(0.05 * client, 20_000)) {
				return;
			}
			this.progress.printf(Locale.ROOT, "[%s] %s still compiling after warm-up %d (JIT %s us/msg)%n", key,
					contender.name(), warmup, ScenarioResult.micros(cpu[2]));
		}
	}

}
