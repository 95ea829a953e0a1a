package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.rabbit.SendFailedException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The messages that could not be parked: the broker did not store their retry or
 * dead-letter copy (unroutable, nacked, refused under an alarm, never confirmed) or the
 * copy could not be sent at all. Requeued at once, such a message would come straight
 * back to a handler that fails again, for ever. Here it is held, unsettled, for a
 * back-off ({@link #unparkedBackOff(RetryPolicy, int)}), then requeued: it keeps its
 * consumer's prefetch slot meanwhile, so the spin is bounded and nothing is dropped.
 * <p>
 * What to fix is logged once per back-off, not once per message, and counted for the
 * meters ({@link RabbitClientMetrics#parkingFailed(String)}) and the client's status.
 * While the client stops, held messages are left to the broker, which requeues them when
 * the consumers' channels close.
 */
final class ParkingFailures {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private final String streamName;

	private final String queueName;

	private final RetryPolicy policy;

	private final ClientInstrumentation instrumentation;

	/** Copies that failed with no stored copy in between: the back-off's step. */
	private final AtomicInteger inARow = new AtomicInteger();

	private final AtomicLong failures = new AtomicLong();

	private final Set<Held> held = ConcurrentHashMap.newKeySet();

	/** Guards the scheduler, whether messages are held, and the log's pace. */
	private final Object lock = new Object();

	private @Nullable ScheduledThreadPoolExecutor scheduler;

	private boolean holding = true;

	private boolean closed;

	private long nextLogNanos = System.nanoTime();

	private long unlogged;

	private volatile RabbitClientStatus.@Nullable ParkingFailure last;

	ParkingFailures(String streamName, String queueName, RetryPolicy policy, ClientInstrumentation instrumentation) {
		this.streamName = streamName;
		this.queueName = queueName;
		this.policy = policy;
		this.instrumentation = instrumentation;
	}

	/** A copy was stored: the next failure starts the back-off over. */
	void parked() {
		this.inARow.set(0);
	}

	/**
	 * Holds a message whose copy was not stored, and requeues it after the back-off.
	 * @param message the message, claimed and not yet settled
	 * @param what what the copy was, e.g. {@code dead letter (attempts-exhausted) to
	 * exchange 'x' with routing key 'k'}
	 * @param failure why it was not stored
	 * @param fix which setting or broker state to fix, or {@code null} if none is known
	 * @param escaped an exception thrown while sending the copy, or {@code null}: the
	 * returned future fails with it
	 * @return a future completed once the message is requeued (or left to the broker)
	 */
	CompletableFuture<Void> hold(RabbitMessage message, String what, Throwable failure, @Nullable String fix,
			@Nullable RuntimeException escaped) {
		Duration backOff = unparkedBackOff(this.policy, this.inARow.incrementAndGet());
		this.failures.incrementAndGet();
		this.instrumentation
			.parkingFailed((failure instanceof SendFailedException sendFailure) ? sendFailure.reason().tag() : "error");
		String reason = "could not store the " + what + ": " + failure.getMessage()
				+ ((fix != null) ? ". To fix: " + fix : "");
		this.last = new RabbitClientStatus.ParkingFailure(Instant.now(), reason);
		Held entry = new Held(message, new CompletableFuture<>(), escaped);
		synchronized (this.lock) {
			log(message, reason, backOff);
			if (this.holding) {
				try {
					this.held.add(entry);
					entry.timer = scheduler().schedule(() -> requeue(entry), backOff.toMillis(), TimeUnit.MILLISECONDS);
					return entry.result;
				}
				catch (RejectedExecutionException ex) {
					// closed meanwhile: left to the broker below
					this.held.remove(entry);
				}
			}
		}
		abandon(entry);
		return entry.result;
	}

	/** Called under the lock: one line per back-off, with how many were not logged. */
	private void log(RabbitMessage message, String reason, Duration backOff) {
		long now = System.nanoTime();
		if (now - this.nextLogNanos < 0) {
			this.unlogged++;
			return;
		}
		this.nextLogNanos = now + backOff.toNanos();
		long others = this.unlogged;
		this.unlogged = 0;
		if (logger.isErrorEnabled()) {
			logger.error("RabbitClient '" + this.streamName + "' cannot park message " + message.messageId() + ": "
					+ reason + ". It goes back to queue '" + this.queueName + "' in " + backOff.toMillis()
					+ " ms instead of at once" + ((others > 0)
							? " (" + others + " more message(s) could not be parked since the last report)" : ""));
		}
	}

	private ScheduledThreadPoolExecutor scheduler() {
		if (this.closed) {
			throw new RejectedExecutionException("closed");
		}
		ScheduledThreadPoolExecutor current = this.scheduler;
		if (current == null) {
			// made only once a copy fails: most clients never need it
			CustomizableThreadFactory threads = new CustomizableThreadFactory(
					"zephcast-" + this.streamName + "-parking-");
			threads.setDaemon(true);
			current = new ScheduledThreadPoolExecutor(1, threads);
			current.setRemoveOnCancelPolicy(true);
			// its one thread ends when nothing is held
			current.setKeepAliveTime(10, TimeUnit.SECONDS);
			current.allowCoreThreadTimeOut(true);
			this.scheduler = current;
		}
		return current;
	}

	private void requeue(Held entry) {
		if (!this.held.remove(entry)) {
			return;
		}
		RabbitMessage message = entry.message;
		try {
			HeldDelivery.of(message).finish(DeliveryOutcome.REQUEUED, message.messageId());
		}
		catch (RuntimeException ex) {
			// AckFailedException: the channel is gone, and the broker has requeued it
			complete(entry, ex);
			return;
		}
		complete(entry, null);
	}

	private void abandon(Held entry) {
		HeldDelivery.of(entry.message).finishAbandoned();
		complete(entry, null);
	}

	private static void complete(Held entry, @Nullable RuntimeException failure) {
		RuntimeException error = (entry.escaped != null) ? entry.escaped : failure;
		if (error != null) {
			entry.result.completeExceptionally(error);
		}
		else {
			entry.result.complete(null);
		}
	}

	/**
	 * The client stops: held messages are left to the broker (requeued when the
	 * consumers' channels close, after the consumers stopped), and messages that fail to
	 * park meanwhile are not held.
	 */
	void release() {
		List<Held> released;
		synchronized (this.lock) {
			this.holding = false;
			released = new ArrayList<>(this.held);
		}
		for (Held entry : released) {
			if (this.held.remove(entry)) {
				ScheduledFuture<?> timer = entry.timer;
				if (timer != null) {
					timer.cancel(false);
				}
				abandon(entry);
			}
		}
	}

	/** The client runs again: messages that fail to park are held again. */
	void resume() {
		synchronized (this.lock) {
			this.holding = !this.closed;
		}
	}

	/** Releases the held messages and stops the scheduler. */
	void close() {
		synchronized (this.lock) {
			this.closed = true;
		}
		release();
		synchronized (this.lock) {
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
			}
		}
	}

	long failures() {
		return this.failures.get();
	}

	int heldNow() {
		return this.held.size();
	}

	RabbitClientStatus.@Nullable ParkingFailure last() {
		return this.last;
	}

	/** A message held for its back-off. */
	private static final class Held {

		final RabbitMessage message;

		final CompletableFuture<Void> result;

		final @Nullable RuntimeException escaped;

		/** Set under the lock once scheduled. */
		volatile @Nullable ScheduledFuture<?> timer;

		Held(RabbitMessage message, CompletableFuture<Void> result, @Nullable RuntimeException escaped) {
			this.message = message;
			this.result = result;
			this.escaped = escaped;
		}

	}

	/**
	 * How long a message whose retry or dead-letter copy the broker did not store is held
	 * before it goes back to its queue: the policy's intervals in turn, then its longest
	 * wait. A policy of a single attempt has no intervals of its own and uses
	 * {@link RetryPolicy#DEFAULT}'s (1 s, 2 s, then 10 s), so a poison message that
	 * cannot be parked comes back slowly instead of spinning.
	 * @param policy the retry policy
	 * @param failure how many copies in a row could not be stored, 1-based
	 * @return the wait before the message is requeued
	 */
	static Duration unparkedBackOff(RetryPolicy policy, int failure) {
		List<Duration> intervals = policy.intervals();
		RetryPolicy base = policy;
		if (intervals.isEmpty()) {
			base = RetryPolicy.DEFAULT;
			intervals = RetryPolicy.DEFAULT.intervals();
		}
		return (failure <= intervals.size()) ? intervals.get(Math.max(1, failure) - 1) : base.maxInterval();
	}

}
