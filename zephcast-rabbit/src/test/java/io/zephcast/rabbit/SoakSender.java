package io.zephcast.rabbit;

import java.util.Arrays;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Publishes every id of a {@link SoakTests.Ledger} through the public API at a given
 * rate, at most {@value #WINDOW} unconfirmed, and sends again what was not confirmed, as
 * an application must ({@link SoakTests}, {@link ClusterFailoverTests}).
 */
final class SoakSender {

	private static final int WINDOW = 1_000;

	private final RabbitClient publisher;

	private final SoakTests.Ledger ledger;

	private final Semaphore window = new Semaphore(WINDOW);

	private final DelayQueue<Retry> retries = new DelayQueue<>();

	private volatile boolean running = true;

	/** New sends per second; resends are not paced. */
	private final int rate;

	/** One permit per new send, granted at {@link #rate} while {@link #run} runs. */
	private final Semaphore pace = new Semaphore(0);

	/** The sending thread, for {@link #describe()}. */
	private volatile @Nullable Thread thread;

	SoakSender(RabbitClient publisher, SoakTests.Ledger ledger, int rate) {
		this.publisher = publisher;
		this.ledger = ledger;
		this.rate = rate;
	}

	void run() {
		this.thread = Thread.currentThread();
		ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
		pacer.scheduleAtFixedRate(() -> this.pace.release(Math.max(0, this.rate / 20 - this.pace.availablePermits())),
				0, 50, TimeUnit.MILLISECONDS);
		try {
			for (int id = 0; id < this.ledger.total && this.running; id++) {
				this.pace.acquire();
				// the backlog counts the failed sends waiting to be resent too: resend
				// those due meanwhile, or neither moves (2,000 sends failed while the
				// broker restarted, filled it, and the soak stalled)
				while (!this.ledger.backlog.tryAcquire(50, TimeUnit.MILLISECONDS)) {
					sendDueRetries();
				}
				send(id);
				sendDueRetries();
			}
			while (this.running) {
				Retry retry = this.retries.poll(100, TimeUnit.MILLISECONDS);
				if (retry != null) {
					send(retry.id);
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			pacer.shutdownNow();
		}
	}

	private void sendDueRetries() throws InterruptedException {
		Retry retry;
		while ((retry = this.retries.poll()) != null) {
			send(retry.id);
		}
	}

	private void send(int id) throws InterruptedException {
		this.window.acquire();
		int attempt = this.ledger.attemptsOf[id].incrementAndGet();
		this.ledger.attempts.incrementAndGet();
		SendOptions options = SendOptions.messageId("soak-" + id).withHeader("attempt", attempt);
		try {
			this.publisher.send(Integer.toString(id), options).whenComplete((confirmed, failure) -> {
				this.window.release();
				if (failure == null) {
					this.ledger.confirmedIds.add(id);
				}
				else {
					this.ledger.failed.incrementAndGet();
					// back off a little: while the broker is down every send fails at
					// once
					this.retries.add(new Retry(id, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)));
				}
			});
		}
		catch (RuntimeException ex) {
			this.window.release();
			throw ex;
		}
	}

	void stop() {
		this.running = false;
	}

	/** Where the sending thread is, and the permits it waits for. */
	String describe() {
		Thread thread = this.thread;
		return String.format("pace %d, backlog %d, window %d permits, %d resends queued; %s",
				this.pace.availablePermits(), this.ledger.backlog.availablePermits(), this.window.availablePermits(),
				this.retries.size(), (thread != null)
						? thread.getState() + " at " + Arrays.toString(thread.getStackTrace()) : "not started");
	}

	/** A send to make again once due. */
	record Retry(int id, long dueNanos) implements Delayed {

		@Override
		public long getDelay(TimeUnit unit) {
			return unit.convert(this.dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
		}

		@Override
		public int compareTo(Delayed other) {
			return Long.compare(this.dueNanos, ((Retry) other).dueNanos);
		}

	}

}
