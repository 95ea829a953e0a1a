package io.zephcast.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zephcast.benchmarks.ScenarioResult.Trial;
import io.zephcast.benchmarks.Session.BenchmarkFailure;

/**
 * The trials of one scenario, each contender in a JVM of its own ({@link TrialWorker}),
 * as JMH forks ({@code --fork}): in one JVM the contenders share the JIT's profiles of
 * the code they have in common (amqp-client's dispatch, Spring AMQP's listener code),
 * which was a suspect for why the set of contenders in a run moved the ratios. Measured
 * (the benchmark README, seventh pass of issue 14), it did not change zephcast's client
 * CPU at prefetch 1, so it is an option rather than the default: a forked run costs a JVM
 * and its warm-ups per contender. The workers start together before the scenario and stay
 * for all its rounds; the parent asks each for one trial at a time, in the rounds' order,
 * so the trials never overlap.
 */
final class ForkedTrials implements AutoCloseable {

	private final String scenario;

	private final Map<Contender, Worker> workers = new LinkedHashMap<>();

	/**
	 * Starts one worker per contender.
	 * @param options the run's options; the workers get the same command line
	 * ({@link Options#arguments})
	 * @param runId names the workers' queues as the parent's
	 * @param scenario the scenario's key
	 * @param contenders its contenders, in the order the worker argument refers to
	 */
	ForkedTrials(Options options, String runId, String scenario, List<Contender> contenders) throws IOException {
		this.scenario = scenario;
		try {
			for (int index = 0; index < contenders.size(); index++) {
				if (options.runs(contenders.get(index))) {
					List<String> command = new ArrayList<>(javaCommand());
					command.addAll(options.arguments);
					command.add("--run-id=" + runId);
					command.add("--worker=" + scenario + ":" + index);
					Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
						.start();
					this.workers.put(contenders.get(index), new Worker(process));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			close();
			throw ex;
		}
	}

	/**
	 * How to start this benchmark in another JVM: from the jar it runs from (Spring
	 * Boot's launcher finds the libraries inside it) or from its class path (the tests,
	 * an IDE).
	 */
	static List<String> javaCommand() {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classPath = System.getProperty("java.class.path");
		if (BenchmarkMain.class.getClassLoader().getClass().getName().startsWith("org.springframework.boot.loader")) {
			return List.of(java, "-jar", classPath);
		}
		return List.of(java, "-cp", classPath, BenchmarkMain.class.getName());
	}

	/**
	 * Runs a trial in the contender's worker and waits for it.
	 * @throws BenchmarkFailure if the trial failed (the worker says why) or the worker
	 * ended
	 */
	Trial run(Contender contender, int round, int size) throws IOException {
		Worker worker = this.workers.get(contender);
		worker.requests.write(TrialWorker.request(round, size) + "\n");
		worker.requests.flush();
		String answer = worker.answers.readLine();
		if (answer == null) {
			throw new BenchmarkFailure(this.scenario + ": the worker of " + contender.name() + " ended (exit code "
					+ exitCode(worker.process) + "; its output is above)");
		}
		if (TrialWorker.isFailure(answer)) {
			throw new BenchmarkFailure(contender.name() + ", in its worker: " + TrialWorker.failure(answer));
		}
		return TrialWorker.decode(contender, answer);
	}

	private static String exitCode(Process process) {
		try {
			return process.waitFor(10, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

	/**
	 * Ends the workers: their input ends, they delete what they declared and exit; one
	 * that does not within 30 s is killed.
	 */
	@Override
	public void close() {
		for (Worker worker : this.workers.values()) {
			try {
				worker.requests.close();
			}
			catch (IOException ex) {
				// it ended already
			}
		}
		for (Worker worker : this.workers.values()) {
			try {
				if (!worker.process.waitFor(30, TimeUnit.SECONDS)) {
					worker.process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				worker.process.destroyForcibly();
				Thread.currentThread().interrupt();
			}
		}
	}

	private static final class Worker {

		private final Process process;

		private final Writer requests;

		private final BufferedReader answers;

		Worker(Process process) {
			this.process = process;
			this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
			this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		}

	}

}
