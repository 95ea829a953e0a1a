package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.springframework.amqp.rabbit.connection.CorrelationData;

/**
 * Sends waiting for their confirm. A periodic sweep fails those the broker has not
 * confirmed within the confirm timeout, so no send waits forever, even when its
 * connection died silently or the broker blocks publishing. One queue and a sweep cost
 * less per message than a timer per send.
 */
final class PendingConfirms {

	private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

	private final long timeoutNanos;

	private final String description;

	PendingConfirms(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
		this.description = "no confirm from the broker within " + timeout;
	}

	void add(CorrelationData correlation) {
		this.pending.add(new Pending(correlation, System.nanoTime() + this.timeoutNanos));
	}

	/**
	 * Forgets the confirmed sends and fails the overdue ones, as a broker nack would.
	 */
	void sweep() {
		long now = System.nanoTime();
		for (Iterator<Pending> iterator = this.pending.iterator(); iterator.hasNext();) {
			Pending next = iterator.next();
			if (next.correlation.getFuture().isDone()) {
				iterator.remove();
			}
			else if (now - next.deadline >= 0) {
				next.correlation.getFuture().complete(new CorrelationData.Confirm(false, this.description));
				iterator.remove();
			}
		}
	}

	private record Pending(CorrelationData correlation, long deadline) {
	}

}
