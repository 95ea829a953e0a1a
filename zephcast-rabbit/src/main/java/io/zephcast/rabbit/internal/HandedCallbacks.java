package io.zephcast.rabbit.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * The consumer callbacks a {@link ConsumerDispatch} handed to pulling threads and not yet
 * run, and the sweep that takes them back for the pool when no pulling thread took one
 * for a while (the application stopped pulling, or is busy with a message): a consumer's
 * notices (consume-ok, cancel, shutdown) and other clients' deliveries then wait at most
 * about the sweep's delay. Used under the dispatch's lock, but for {@link #any()}.
 */
final class HandedCallbacks {

	private final ArrayDeque<Runnable> callbacks = new ArrayDeque<>();

	private final long sweepMillis;

	/** Runs the sweeps; its one thread ends a second after the last. */
	private final ScheduledThreadPoolExecutor sweeper;

	/** Whether there are callbacks; written under the lock, read without it. */
	private volatile boolean any;

	/** Callbacks taken by pulling threads so far. */
	private long taken;

	/** {@link #taken} when the due sweep was scheduled. */
	private long takenAtSchedule;

	private boolean sweepDue;

	/**
	 * Handed callbacks.
	 * @param sweeperName the sweep thread's name
	 * @param sweepMillis how long callbacks may wait for a pulling thread to take one
	 */
	HandedCallbacks(String sweeperName, long sweepMillis) {
		this.sweepMillis = sweepMillis;
		this.sweeper = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, sweeperName);
			thread.setDaemon(true);
			return thread;
		});
		// kept while sweeps follow each other (over a backlog, one every few ms: a thread
		// started for each measured 100 starts in 4 trials), ended a second after the
		// last
		this.sweeper.setKeepAliveTime(1, TimeUnit.SECONDS);
		this.sweeper.allowCoreThreadTimeOut(true);
	}

	void add(Runnable callback) {
		this.callbacks.add(callback);
		this.any = true;
	}

	/**
	 * The next callback, counted as taken by a pulling thread.
	 * @return the callback, or {@code null} if there is none
	 */
	@Nullable Runnable poll() {
		Runnable callback = this.callbacks.poll();
		if (callback != null) {
			this.taken++;
		}
		this.any = !this.callbacks.isEmpty();
		return callback;
	}

	boolean isEmpty() {
		return this.callbacks.isEmpty();
	}

	/**
	 * Whether there are callbacks, without the lock: a pull that finds none pays no lock.
	 * @return whether there are
	 */
	boolean any() {
		return this.any;
	}

	/**
	 * Schedules a sweep unless one is due.
	 * @param sweep what the sweep runs: it takes the lock and calls {@link #stale}
	 */
	void scheduleSweep(Runnable sweep) {
		if (this.sweepDue) {
			return;
		}
		this.sweepDue = true;
		this.takenAtSchedule = this.taken;
		try {
			this.sweeper.schedule(sweep, this.sweepMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// shut down with the dispatch's pool: nothing runs callbacks any more
			this.sweepDue = false;
		}
	}

	/**
	 * The sweep: takes every callback out if no pulling thread took one since it was
	 * scheduled; else schedules the next one while callbacks are left.
	 * @param sweep the sweep, to schedule again
	 * @return the callbacks taken out, for the pool, or {@code null}
	 */
	@Nullable List<Runnable> stale(Runnable sweep) {
		this.sweepDue = false;
		if (this.callbacks.isEmpty()) {
			return null;
		}
		if (this.taken != this.takenAtSchedule) {
			scheduleSweep(sweep);
			return null;
		}
		return takeAll();
	}

	/**
	 * Takes every callback out.
	 * @return the callbacks, for the pool
	 */
	List<Runnable> takeAll() {
		List<Runnable> all = new ArrayList<>(this.callbacks);
		this.callbacks.clear();
		this.any = false;
		return all;
	}

	void shutdown() {
		this.sweeper.shutdownNow();
	}

}
