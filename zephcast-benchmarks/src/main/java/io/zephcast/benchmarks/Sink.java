package io.zephcast.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Where every contender's consumer hands each message, on its own consumer thread, before
 * it acks it: counts, checks for loss and duplicates, and records latency (in
 * microseconds): the end-to-end time from the send time in the body, or the gap between
 * consecutive deliveries for a backlog. Optionally sleeps per message (the slow consumer
 * of the heap scenario).
 */
final class Sink {

	enum LatencyMode {

		/** now - send time written in the body. */
		END_TO_END,

		/**
		 * now - previous delivery (any consumer): the per-message cost when draining a
		 * backlog.
		 */
		GAP

	}

	private final LatencyMode mode;

	private final long workMillis;

	private final Histogram latency = new ConcurrentHistogram(3);

	private final AtomicLong received = new AtomicLong();

	private final AtomicLong duplicates = new AtomicLong();

	private final AtomicLong lastArrival = new AtomicLong();

	private final AtomicLong firstArrival = new AtomicLong();

	private final Map<String, LongAdder> perConsumer = new ConcurrentHashMap<>();

	private final AtomicLongArray seen;

	private final int capacity;

	private final CountDownLatch done = new CountDownLatch(1);

	private final CountDownLatch first = new CountDownLatch(1);

	private volatile long expected = Long.MAX_VALUE;

	private volatile boolean stopping;

	/**
	 * @param mode what the latency histogram records
	 * @param capacity the largest sequence number + 1 to check for duplicates (0: do not
	 * check)
	 * @param workMillis sleep per message
	 */
	Sink(LatencyMode mode, int capacity, long workMillis) {
		this.mode = mode;
		this.capacity = capacity;
		this.seen = new AtomicLongArray(Math.max(1, (capacity + 63) / 64));
		this.workMillis = workMillis;
	}

	void expect(long count) {
		this.expected = count;
		if (this.received.get() >= count) {
			this.done.countDown();
		}
	}

	/** Stops the per-message sleep so that a slow consumer shuts down quickly. */
	void stopping() {
		this.stopping = true;
	}

	void onMessage(byte[] body, String consumerTag) {
		long now = System.nanoTime();
		if (this.workMillis > 0 && !this.stopping) {
			try {
				Thread.sleep(this.workMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (this.capacity > 0) {
			int sequence = Payload.sequence(body);
			if (sequence >= 0 && sequence < this.capacity) {
				long bit = 1L << (sequence & 63);
				long before = this.seen.getAndAccumulate(sequence >>> 6, bit, (a, b) -> a | b);
				if ((before & bit) != 0) {
					this.duplicates.incrementAndGet();
				}
			}
		}
		if (this.firstArrival.compareAndSet(0, now)) {
			this.first.countDown();
		}
		long previous = this.lastArrival.getAndAccumulate(now, Math::max);
		if (this.mode == LatencyMode.END_TO_END) {
			this.latency.recordValue(Math.max(0, (now - Payload.sentNanos(body)) / 1_000));
		}
		else if (previous != 0) {
			this.latency.recordValue(Math.max(0, (now - previous) / 1_000));
		}
		this.perConsumer.computeIfAbsent((consumerTag != null) ? consumerTag : "?", (tag) -> new LongAdder())
			.increment();
		if (this.received.incrementAndGet() >= this.expected) {
			this.done.countDown();
		}
	}

	boolean await(long timeout, TimeUnit unit) throws InterruptedException {
		return this.done.await(timeout, unit);
	}

	boolean awaitFirst(long timeout, TimeUnit unit) throws InterruptedException {
		return this.first.await(timeout, unit);
	}

	long received() {
		return this.received.get();
	}

	long duplicates() {
		return this.duplicates.get();
	}

	long firstArrivalNanos() {
		return this.firstArrival.get();
	}

	long lastArrivalNanos() {
		return this.lastArrival.get();
	}

	Histogram latency() {
		return this.latency;
	}

	/** Messages per consumer tag, sorted by tag. */
	Map<String, Long> perConsumer() {
		Map<String, Long> counts = new TreeMap<>();
		this.perConsumer.forEach((tag, count) -> counts.put(tag, count.sum()));
		return counts;
	}

}
