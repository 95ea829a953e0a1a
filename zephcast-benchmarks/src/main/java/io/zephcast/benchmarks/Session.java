package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * One contender's connection(s) to one queue for one trial: it publishes with confirms
 * and consumes into a {@link Sink}. Opening (connecting) happens outside the measurement.
 */
abstract class Session implements AutoCloseable {

	/** Unconfirmed messages a pipelining publisher may have in flight. */
	static final int WINDOW = 1_000;

	protected final Options options;

	protected final String queue;

	protected final int prefetch;

	protected final int concurrency;

	/**
	 * Failures reported by callbacks (nacks, failed futures, errors on consumer threads).
	 */
	protected final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

	Session(Options options, String queue, int prefetch, int concurrency) {
		this.options = options;
		this.queue = queue;
		this.prefetch = prefetch;
		this.concurrency = concurrency;
	}

	/**
	 * Publishes up to {@code count} messages, 100 bytes and persistent, to the queue and
	 * returns once all of them are confirmed.
	 * @param count how many
	 * @param confirmLatency where to record send-to-confirm time in microseconds, or null
	 * @param pacer paces sends at a fixed rate (its slot time goes into the body), or
	 * null for as fast as the window allows
	 * @param deadlineNanos stop sending new messages after this {@link System#nanoTime()}
	 * @return the number of messages sent (and confirmed)
	 * @throws BenchmarkFailure if a message is nacked or a confirm does not come in time
	 */
	abstract int publish(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception;

	/** Starts the consumer(s): prefetch and concurrency as given at open. */
	abstract void startConsuming(Sink sink) throws Exception;

	/** Stops consuming; afterwards everything the sink saw is acked. */
	abstract void stopConsuming() throws Exception;

	@Override
	public abstract void close() throws Exception;

	/** Throws if a callback reported a failure. */
	void checkFailures() {
		if (!this.failures.isEmpty()) {
			List<String> copy = new ArrayList<>(this.failures);
			throw new BenchmarkFailure(copy.size() + " failure(s), first: " + copy.get(0));
		}
	}

	/**
	 * Publishes with at most {@link #WINDOW} sends in flight, for contenders whose send
	 * returns a future of its confirm; a failed future is recorded as a failure.
	 * @return how many were sent before the deadline
	 */
	protected int publishPipelined(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos,
			String contender, AsyncSend send) throws Exception {
		Semaphore window = new Semaphore(WINDOW);
		int sent = 0;
		for (int i = 0; i < count; i++) {
			if ((i & 63) == 0 && System.nanoTime() > deadlineNanos) {
				break;
			}
			acquire(window, 1);
			long due = (pacer != null) ? pacer.await(i) : 0;
			long now = System.nanoTime();
			int index = i;
			send.send(Payload.create((pacer != null) ? due : now, i)).whenComplete((ignored, error) -> {
				if (error != null) {
					this.failures.add(contender + " message " + index + ": " + error);
				}
				else {
					record(confirmLatency, now);
				}
				window.release();
			});
			sent++;
		}
		drain(window);
		return sent;
	}

	/** Sends one message and tells when the broker confirmed it. */
	@FunctionalInterface
	interface AsyncSend {

		CompletableFuture<?> send(byte[] body) throws Exception;

	}

	protected void acquire(Semaphore window, int permits) throws InterruptedException {
		if (!window.tryAcquire(permits, this.options.timeoutSeconds, TimeUnit.SECONDS)) {
			throw new BenchmarkFailure("confirms stalled: " + (WINDOW - window.availablePermits())
					+ " message(s) unconfirmed after " + this.options.timeoutSeconds + " s");
		}
	}

	/**
	 * Waits until every permit of the window is back, i.e. every message is confirmed.
	 */
	protected void drain(Semaphore window) throws InterruptedException {
		acquire(window, WINDOW);
		window.release(WINDOW);
		checkFailures();
	}

	protected static void record(Histogram histogram, long sentNanos) {
		if (histogram != null) {
			histogram.recordValue(Math.max(0, (System.nanoTime() - sentNanos) / 1_000));
		}
	}

	/** A fixed publish rate: message i is due at start + i / rate. */
	static final class Pacer {

		private final long startNanos;

		private final long periodNanos;

		Pacer(int ratePerSecond) {
			this.startNanos = System.nanoTime() + 1_000_000;
			this.periodNanos = 1_000_000_000L / ratePerSecond;
		}

		/**
		 * Waits until message i is due.
		 * @return its due time: latency is measured from it, so a send that is late
		 * because the previous one blocked counts against the client (no coordinated
		 * omission)
		 */
		long await(int i) {
			long due = this.startNanos + i * this.periodNanos;
			long wait;
			while ((wait = due - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			return due;
		}

	}

	/** A scenario broke: messages lost or duplicated, a nack, an error, a timeout. */
	static final class BenchmarkFailure extends RuntimeException {

		BenchmarkFailure(String message) {
			super(message);
		}

		BenchmarkFailure(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
