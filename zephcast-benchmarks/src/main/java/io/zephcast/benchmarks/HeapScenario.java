package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.zephcast.benchmarks.Session.BenchmarkFailure;

/**
 * The heap scenario: a large backlog waits while one slow consumer after another takes
 * from it; the used heap after a full GC and the messages the consumer holds unacked are
 * sampled every second. A client bounded by its prefetch holds no more than that,
 * whatever the backlog.
 */
final class HeapScenario {

	private final Options options;

	private final BrokerAdmin admin;

	private final PrintStream progress;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	HeapScenario(Options options, BrokerAdmin admin, PrintStream progress) {
		this.options = options;
		this.admin = admin;
		this.progress = progress;
	}

	/**
	 * Runs the scenario: the contenders in turn on one backlog.
	 * @param rows where each contender's row goes, as soon as it has one
	 */
	void run(List<HeapRow> rows) throws Exception {
		int backlog = this.options.heapBacklog;
		String queue = this.admin.declare("heap");
		try {
			long fillStart = System.nanoTime();
			this.admin.fill(queue, backlog);
			this.progress.printf(Locale.ROOT, "[heap] filled %,d in %.0f s%n", backlog,
					(System.nanoTime() - fillStart) / 1e9);
			int remaining = backlog;
			List<Object[]> plan = List.of(new Object[] { Contender.ZEPHCAST_PUSH, 250 },
					new Object[] { Contender.ZEPHCAST_PULL, 250 }, new Object[] { Contender.ZEPHCAST_PUSH, 1 },
					new Object[] { Contender.SPRING_LISTENER, 250 }, new Object[] { Contender.RAW, 0 });
			for (Object[] step : plan) {
				Contender contender = (Contender) step[0];
				int prefetch = (Integer) step[1];
				if (!this.options.runs(contender)) {
					continue;
				}
				HeapRow row = heapTrial(queue, contender, prefetch, remaining);
				rows.add(row);
				remaining = row.remainingAfter;
				this.progress.println("[heap] " + row.label() + ": max held " + row.maxHeld + ", heap +"
						+ BenchmarkMain.mib(row.maxHeap - row.heapBefore));
			}
		}
		finally {
			this.admin.delete(queue);
		}
	}

	private HeapRow heapTrial(String queue, Contender contender, int prefetch, int remaining) throws Exception {
		Sink sink = new Sink(Sink.LatencyMode.GAP, 0, this.options.heapWorkMillis);
		long heapBefore = usedHeapAfterGc();
		long maxHeap = heapBefore;
		long lastHeap = heapBefore;
		long maxHeld = 0;
		long start;
		try (Session session = contender.open(this.options, queue, prefetch, 1)) {
			start = System.nanoTime();
			session.startConsuming(sink);
			for (int second = 0; second < this.options.heapSeconds; second++) {
				Thread.sleep(1_000);
				// the broker's count is read first: reading it takes milliseconds, and
				// every message acked meanwhile lets the broker deliver one more, so the
				// consumer's count read before it overstated held by those (252 at
				// prefetch 250, 1 ms per message); read after it, held errs by as many
				// the other way. A client that buffered beyond its prefetch would still
				// show: it holds them for seconds
				int ready = this.admin.ready(queue);
				long processed = sink.received();
				long held = Math.max(0, remaining - ready - processed);
				maxHeld = Math.max(maxHeld, held);
				lastHeap = usedHeapAfterGc();
				maxHeap = Math.max(maxHeap, lastHeap);
			}
			sink.stopping();
			session.stopConsuming();
			session.checkFailures();
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		long consumed = sink.received();
		// every message it did not ack goes back to the queue: nothing may be lost
		int expected = (int) (remaining - consumed);
		int ready = this.admin.awaitReady(queue, expected, TimeUnit.SECONDS.toMillis(this.options.timeoutSeconds));
		if (ready < expected) {
			throw new BenchmarkFailure(contender.name() + " (heap): " + consumed + " consumed of " + remaining
					+ " but only " + ready + " back in the queue; expected " + expected);
		}
		return new HeapRow(contender, prefetch, consumed, consumed / seconds, heapBefore, maxHeap, lastHeap, maxHeld,
				ready);
	}

	/** Heap scenario: one slow consumer while a large backlog waits. */
	record HeapRow(Contender contender, int prefetch, long consumed, double rate, long heapBefore, long maxHeap,
			long lastHeap, long maxHeld, int remainingAfter) {

		String label() {
			return this.contender.name()
					+ ((this.prefetch > 0) ? ", prefetch " + this.prefetch : ", no prefetch limit (client default)");
		}

		boolean bounded() {
			// one message may be between the sink and its ack when sampled
			return this.prefetch > 0 && this.maxHeld <= this.prefetch + 1;
		}

	}

	/**
	 * The scenario's table.
	 * @param rows the rows
	 * @return the table, in Markdown
	 */
	String render(List<HeapRow> rows) {
		int backlog = this.options.heapBacklog;
		StringBuilder out = new StringBuilder();
		out.append("### heap while a backlog of ")
			.append(BenchmarkMain.count(backlog))
			.append(" is consumed slowly (")
			.append(this.options.heapWorkMillis)
			.append(" ms per message, ")
			.append(this.options.heapSeconds)
			.append(" s per contender)\n");
		out.append(
				"used heap after a full GC, sampled every second; held = delivered to the client but not yet acked\n\n");
		out.append(
				"| consumer | consumed | msg/s | heap before | heap max | heap growth | max held | bounded by prefetch |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
		for (HeapRow row : rows) {
			out.append("| ")
				.append(row.label())
				.append(" | ")
				.append(BenchmarkMain.count(row.consumed()))
				.append(" | ")
				.append(ScenarioResult.rate(row.rate()))
				.append(" | ")
				.append(BenchmarkMain.mib(row.heapBefore()))
				.append(" | ")
				.append(BenchmarkMain.mib(row.maxHeap()))
				.append(" | ")
				.append(BenchmarkMain.mib(row.maxHeap() - row.heapBefore()))
				.append(" | ")
				.append(BenchmarkMain.count(row.maxHeld()))
				.append(" | ")
				.append((row.prefetch() > 0) ? (row.bounded() ? "yes (prefetch " + row.prefetch() + ")" : "NO")
						: "no limit")
				.append(" |\n");
		}
		return out.toString();
	}

	private long usedHeapAfterGc() {
		System.gc();
		return this.memory.getHeapMemoryUsage().getUsed();
	}

}
