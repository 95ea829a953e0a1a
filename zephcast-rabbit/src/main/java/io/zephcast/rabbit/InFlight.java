package io.zephcast.rabbit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what is in flight (sends awaiting their confirm, messages handed out and not yet
 * settled) so that a graceful stop can wait, up to a deadline, for the count to reach
 * zero.
 */
final class InFlight {

	private final AtomicInteger count = new AtomicInteger();

	void increment() {
		this.count.incrementAndGet();
	}

	void decrement() {
		if (this.count.decrementAndGet() == 0) {
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
		while (this.count.get() > 0) {
			long remaining = deadline - System.nanoTime();
			if (remaining <= 0) {
				return false;
			}
			try {
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

}
