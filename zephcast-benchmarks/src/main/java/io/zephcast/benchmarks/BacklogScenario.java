package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zephcast.benchmarks.ScenarioResult.Trial;
import io.zephcast.benchmarks.Session.BenchmarkFailure;

/**
 * The backlog as a user measures it (issue 30), beside consume-only's warmed-up measure:
 * at the start of each round every contender's queue is filled with the same backlog of
 * persistent 100-byte messages through the default exchange; then each contender drains
 * its queue with a client opened for the trial (as an application starts one), in the
 * rounds' balanced order. Unlike consume-only there is no warm-up trial, no garbage
 * collection and no wait for a quiet broker before a trial: the rounds include whatever
 * the JIT, the broker and the other queues' backlogs do meanwhile, as a user's loop does.
 * The rate is taken from the first delivery to the last; every message must arrive
 * exactly once and the queue must be empty once the client is closed (the broker's
 * count).
 */
final class BacklogScenario {

	/** Raw, both pull APIs, and push, each with a client of its own per trial. */
	static final List<Contender> CONTENDERS = List.of(Contender.RAW, Contender.ZEPHCAST_RECEIVE,
			Contender.ZEPHCAST_PULL, Contender.ZEPHCAST_PUSH);

	private final Options options;

	private final BrokerAdmin admin;

	private final CpuClock cpu;

	private final PrintStream progress;

	private final RoundRunner rounds;

	/** The queues filled for a round, by contender; filled at the round's first trial. */
	private final Map<Integer, Map<Contender, String>> filled = new HashMap<>();

	BacklogScenario(Options options, BrokerAdmin admin, CpuClock cpu, PrintStream progress, RoundRunner rounds) {
		this.options = options;
		this.admin = admin;
		this.cpu = cpu;
		this.progress = progress;
		this.rounds = rounds;
	}

	/**
	 * Runs the rounds at one prefetch (a smaller backlog at prefetch 1: one round trip
	 * per message), without warm-ups.
	 * @param prefetch the prefetch of every contender
	 */
	void run(int prefetch) throws Exception {
		int backlog = (prefetch == 1) ? this.options.backlogPrefetch1 : this.options.backlog;
		String key = "backlog-p" + prefetch;
		ScenarioResult result = new ScenarioResult(key,
				"backlog as a user measures it: " + BenchmarkMain.count(backlog)
						+ " msgs per queue filled at each round's start, a new client per trial, no warm-up, prefetch "
						+ prefetch,
				"gap between consecutive deliveries", CONTENDERS);
		this.rounds.run(result, (contender, round, size) -> trial(key, contender, round, size, prefetch), backlog, 0);
	}

	private Trial trial(String key, Contender contender, int round, int size, int prefetch) throws Exception {
		String queue = queueOf(key, contender, round, size);
		try {
			Sink sink = new Sink(Sink.LatencyMode.GAP, size, 0);
			sink.expect(size);
			double[] cpuUsed;
			try (Session session = contender.open(this.options, queue, prefetch, 1)) {
				session.startConsuming(sink);
				await(contender, sink.awaitFirst(this.options.timeoutSeconds, TimeUnit.SECONDS), sink, size);
				long before = sink.received();
				long[] start = this.cpu.read();
				ThreadCpu threads = this.options.threadCpu ? new ThreadCpu() : null;
				await(contender, sink.await(this.options.timeoutSeconds, TimeUnit.SECONDS), sink, size);
				cpuUsed = CpuClock.perMessage(start, this.cpu.read(), size - before);
				if (threads != null) {
					this.progress.println("[" + key + "] client CPU us/msg by thread, " + contender.name() + ":"
							+ threads.since(size - before));
				}
				session.stopConsuming();
				session.checkFailures();
			}
			checkExactlyOnce(contender, queue, sink, size);
			double seconds = (sink.lastArrivalNanos() - sink.firstArrivalNanos()) / 1e9;
			return new Trial(contender, round, size - 1, seconds, sink.latency(), null, cpuUsed);
		}
		finally {
			this.admin.delete(queue);
		}
	}

	/**
	 * The contender's queue of this round: at the round's first trial, every contender's
	 * queue is declared and filled, so that a later trial's queue waited, full, while the
	 * earlier ones ran (as the user's did).
	 */
	private String queueOf(String key, Contender contender, int round, int size) throws Exception {
		Map<Contender, String> queues = this.filled.get(round);
		if (queues == null || !queues.containsKey(contender)) {
			queues = new HashMap<>();
			for (Contender each : CONTENDERS) {
				if (this.options.runs(each)) {
					String queue = this.admin.declare(key + "-" + each.variant().toLowerCase(Locale.ROOT)
							+ (each.isRaw() ? "raw" : "") + "-" + round);
					this.admin.fill(queue, size);
					queues.put(each, queue);
				}
			}
			this.filled.put(round, queues);
		}
		return queues.remove(contender);
	}

	private void await(Contender contender, boolean arrived, Sink sink, long expected) {
		if (!arrived) {
			throw new BenchmarkFailure(contender.name() + ": received " + sink.received() + " of " + expected
					+ " messages within " + this.options.timeoutSeconds + " s");
		}
	}

	/**
	 * Every message once: as many as filled, none twice (the sink's sequence bits), and
	 * the queue empty once the client closed: an unacked message would be back in it.
	 */
	private void checkExactlyOnce(Contender contender, String queue, Sink sink, int size) throws Exception {
		if (sink.duplicates() > 0 || sink.received() != size) {
			throw new BenchmarkFailure(contender.name() + ": received " + sink.received() + " of " + size
					+ " messages, " + sink.duplicates() + " twice");
		}
		int ready = this.admin.ready(queue);
		if (ready != 0) {
			throw new BenchmarkFailure(contender.name() + ": " + ready + " messages back in the queue: not acked");
		}
	}

}
