package io.zephcast.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

import io.zephcast.benchmarks.ScenarioResult.Trial;

/**
 * The worker side of a forked contender ({@link ForkedTrials}): a JVM that runs the
 * trials of one contender of one scenario, one at a time, when the parent asks, and
 * answers each with its result on one line. A worker runs nothing but its contender, so
 * the JIT compiles that contender's code for that contender alone, as in an application
 * that uses one client.
 * <p>
 * The protocol, one line each way: {@code RUN <round> <size>} from the parent, answered
 * by {@code TRIAL <tab-separated fields>} or {@code FAILED <why>}; the end of the input
 * ends the worker. Everything else a worker prints goes to its standard error, which is
 * the parent's.
 */
final class TrialWorker {

	static final String RUN = "RUN";

	static final String TRIAL = "TRIAL";

	static final String FAILED = "FAILED";

	private final Options.Worker target;

	private final BufferedReader requests;

	private final PrintStream protocol;

	/**
	 * The worker of this JVM. Takes the process's standard output for the protocol:
	 * whatever else prints to {@code System.out} from now on goes to standard error.
	 * @param target the scenario and contender it runs
	 */
	TrialWorker(Options.Worker target) {
		this.target = target;
		this.requests = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		this.protocol = System.out;
		System.setOut(System.err);
	}

	/** The key of the scenario this worker runs. */
	String scenario() {
		return this.target.scenario();
	}

	/**
	 * Answers the parent's requests until its input ends, if this worker runs this
	 * scenario.
	 * @param result the scenario (its key and contenders)
	 * @param body the scenario's trial
	 */
	void serve(ScenarioResult result, RoundRunner.TrialBody body) throws Exception {
		if (!result.key.equals(this.target.scenario())) {
			return;
		}
		Contender contender = result.contenders().get(this.target.contender());
		String line;
		while ((line = this.requests.readLine()) != null) {
			String[] request = line.split(" ");
			if (request.length != 3 || !request[0].equals(RUN)) {
				throw new IllegalStateException("unknown request from the benchmark: " + line);
			}
			try {
				Trial trial = body.run(contender, Integer.parseInt(request[1]), Integer.parseInt(request[2]));
				this.protocol.println(encode(trial));
			}
			catch (Exception | Error ex) {
				ex.printStackTrace();
				this.protocol.println(FAILED + " " + oneLine(String.valueOf(ex)));
			}
			this.protocol.flush();
		}
	}

	/** A trial as one line: its counts, its CPU, its latency histogram and its note. */
	static String encode(Trial trial) {
		ByteBuffer histogram = ByteBuffer.allocate(trial.latency().getNeededByteBufferCapacity());
		int length = trial.latency().encodeIntoCompressedByteBuffer(histogram);
		String cpu = "-";
		if (trial.cpu() != null) {
			StringBuilder values = new StringBuilder();
			for (double value : trial.cpu()) {
				values.append((values.length() > 0) ? "," : "").append(value);
			}
			cpu = values.toString();
		}
		return String.join("\t", TRIAL, Integer.toString(trial.round()), Long.toString(trial.messages()),
				Double.toString(trial.seconds()), cpu,
				Base64.getEncoder().encodeToString(Arrays.copyOf(histogram.array(), length)),
				(trial.note() != null) ? oneLine(trial.note()) : "-");
	}

	/**
	 * A trial from its line.
	 * @param contender the contender it is of (not on the line: the parent knows which
	 * worker answered)
	 * @param line the answer
	 * @return the trial
	 */
	static Trial decode(Contender contender, String line) {
		String[] fields = line.split("\t", -1);
		if (fields.length != 7 || !fields[0].equals(TRIAL)) {
			throw new IllegalStateException("not a trial: " + line);
		}
		double[] cpu = null;
		if (!fields[4].equals("-")) {
			String[] values = fields[4].split(",");
			cpu = new double[values.length];
			for (int i = 0; i < values.length; i++) {
				cpu[i] = Double.parseDouble(values[i]);
			}
		}
		Histogram latency;
		try {
			latency = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(fields[5])),
					0);
		}
		catch (DataFormatException ex) {
			throw new IllegalStateException("a trial's latency histogram cannot be read", ex);
		}
		return new Trial(contender, Integer.parseInt(fields[1]), Long.parseLong(fields[2]),
				Double.parseDouble(fields[3]), latency, fields[6].equals("-") ? null : fields[6], cpu);
	}

	/**
	 * Whether a worker's answer says its trial failed; then {@link #failure} says why.
	 */
	static boolean isFailure(String line) {
		return line.startsWith(FAILED + " ");
	}

	static String failure(String line) {
		return line.substring(FAILED.length() + 1);
	}

	static String request(int round, int size) {
		return String.format(Locale.ROOT, "%s %d %d", RUN, round, size);
	}

	private static String oneLine(@Nullable String text) {
		return String.valueOf(text).replace('\t', ' ').replace('\r', ' ').replace('\n', ' ');
	}

}
