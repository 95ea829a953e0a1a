package io.zephcast.rabbit.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what is in flight (sends awaiting their confirm, messages handed out and not yet
 * settled) so that a graceful stop can wait, up to a deadline, for the count to reach
 * zero. Counting is on the hot path (every send, every delivery): it takes the monitor
 * only while someone waits.
 */
final class InFlight {

	private final AtomicInteger count = new AtomicInteger();

	/** Threads in {@link #awaitZero}; changed only under the monitor. */
	private volatile int waiters;

	void increment() {
		this.count.incrementAndGet();
	}

	void decrement() {
		if (this.count.decrementAndGet() == 0 && this.waiters > 0) {
			synchronized (this) {
				notifyAll();
			}
		}
	}

	int get() {
		return this.count.get();
	}

	/**
	 * Waits until nothing is in flight.
	 * @param deadline the {@link System#nanoTime()} to give up at
	 * @return whether the count reached zero in time
	 */
	synchronized boolean awaitZero(long deadline) {
		this.waiters++;
		try {
			while (this.count.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		finally {
			this.waiters--;
		}
	}

}
