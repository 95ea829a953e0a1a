package io.zephcast.rabbit.internal;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The executor amqp-client runs a connection's consumer callbacks on: deliveries, and the
 * consume-ok, cancel and shutdown notices of its consumers. A thread blocked in a
 * synchronous pull ({@code receive(timeout)}, iteration) runs them itself, so a delivery
 * wakes one thread, the puller, instead of a dispatch thread that then wakes the puller.
 * That second wake-up made a pulling client cost 20-30 % more CPU per message than the
 * raw client acking on its delivery thread (zephcast-benchmarks/README.md). Callbacks
 * dispatched while the puller handles a message wait for its next pull
 * ({@link #pulling()}), so that over a backlog the pulling thread runs every delivery it
 * takes, as the raw client's consumer thread does, rather than sharing them with a pool
 * thread that then wakes it (issue 30). With no puller, or none back within
 * {@link #SWEEP_MILLIS}, a pool thread runs them, as with amqp-client's own executor.
 * <p>
 * A puller never runs application code: while a client consumes from the same connection
 * with a handler ({@code subscribe}), the pool runs every callback, so a handler never
 * runs on another client's iterating thread. A listener container of the application's
 * own on a zephcast connection factory would be such code: it needs a connection factory
 * of its own.
 * <p>
 * amqp-client keeps each channel's callbacks in order whichever thread runs them: it
 * hands the executor one channel's run of callbacks at a time. They never run on the
 * connection's reader thread: a callback may wait for the broker (a consumer's channel
 * closing), and only the reader thread can read the answer.
 * <p>
 * Lock order: a {@link DeliveryQueue}'s lock before this one's; this one is never held
 * while a queue is locked from here or a callback runs.
 */
final class ConsumerDispatch extends AbstractExecutorService {

	/** How long an idle pool thread waits for work while they are not kept. */
	private static final long IDLE_THREAD_SECONDS = 1;

	/**
	 * How long callbacks handed to a puller between two pulls may wait for it before the
	 * pool runs them: the most a consumer's notices wait while the application is busy.
	 */
	static final long SWEEP_MILLIS = 10;

	private final ThreadPoolExecutor pool;

	private final ReentrantLock lock = new ReentrantLock();

	/** Callbacks handed to pulling threads, not yet run. */
	private final HandedCallbacks handed;

	/**
	 * One entry per thread waiting in a pull of that queue and free to run callbacks;
	 * entries of one queue are interchangeable, as its signal wakes any of its waiters.
	 */
	private final ArrayDeque<Puller> waiting = new ArrayDeque<>();

	/** Clients consuming with a handler on this dispatch's connections. */
	private int handlerClients;

	/**
	 * Whether a thread pulled since the last sweep that found the handed callbacks
	 * untouched ({@link #pulling()}); written under the lock.
	 */
	private volatile boolean engaged;

	/** The sweep of {@link #handed}, one instance. */
	private final Runnable sweep = this::sweep;

	/**
	 * Whether a callback may go to a waiting puller; read without the lock, so that
	 * handler consumers (push) pay no lock per callback.
	 */
	private volatile boolean handsToPullers;

	/**
	 * A dispatch whose pool has the given threads, started as they are first needed and
	 * kept while the connection factory has connections
	 * ({@link #keepIdleThreads(boolean)}).
	 * @param connectionName names the pool's threads
	 * @param threads the pool's threads: amqp-client's default is one per core; a
	 * consumer group needs one per consumer, and one more keeps the connection's other
	 * channels served meanwhile
	 */
	ConsumerDispatch(String connectionName, int threads) {
		this(connectionName, threads, SWEEP_MILLIS);
	}

	/**
	 * A dispatch whose handed callbacks wait the given time for a pulling thread (tests).
	 * @param sweepMillis see {@link #SWEEP_MILLIS}
	 */
	ConsumerDispatch(String connectionName, int threads, long sweepMillis) {
		CustomizableThreadFactory threadFactory = new CustomizableThreadFactory("zephcast-" + connectionName + "-");
		threadFactory.setDaemon(true);
		this.pool = new ThreadPoolExecutor(threads, threads, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
				new LinkedBlockingQueue<>(), threadFactory);
		this.handed = new HandedCallbacks("zephcast-" + connectionName + "-sweeper", sweepMillis);
	}

	/**
	 * Whether idle threads wait for work without a timeout, as in amqp-client's own pool,
	 * or end after a second idle. Kept while there are connections: a timed wait arms a
	 * kernel timer each time a thread goes idle, which at prefetch 1 is once per message
	 * (about 1.5 % of the client's CPU, zephcast-benchmarks/README.md). Not kept once the
	 * connections are closed, so that a destroyed factory leaves no thread behind. The
	 * pool is never shut down: callbacks still come while connections close, and Spring
	 * lets a closed factory connect again.
	 * @param keep whether to keep them
	 */
	void keepIdleThreads(boolean keep) {
		this.pool.allowCoreThreadTimeOut(!keep);
	}

	/**
	 * Whether idle threads are kept (what tests check).
	 * @return whether they are
	 */
	boolean keepsIdleThreads() {
		return !this.pool.allowsCoreThreadTimeOut();
	}

	@Override
	public void execute(Runnable callback) {
		if (!this.handsToPullers) {
			this.pool.execute(callback);
			return;
		}
		Puller puller = null;
		boolean handedOut = false;
		this.lock.lock();
		try {
			// read again under the lock: a puller may have stopped waiting meanwhile
			if (this.handsToPullers) {
				puller = this.waiting.poll();
				this.handed.add(callback);
				handedOut = true;
				if (puller == null) {
					// a puller between two pulls runs it at its next pull, without a
					// wake-up; if none comes back in time, the sweep gives it to the pool
					this.handed.scheduleSweep(this.sweep);
				}
				updateHandsToPullers();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (!handedOut) {
			this.pool.execute(callback);
		}
		else if (puller != null) {
			puller.wakeOne();
		}
	}

	/**
	 * A thread is pulling: until a sweep finds it gone ({@link #SWEEP_MILLIS}), callbacks
	 * dispatched between its pulls wait for its next pull instead of going to the pool.
	 * So the pulling thread runs the deliveries it then takes, as a push consumer's
	 * thread runs the deliveries it handles: one thread hand-off per run of deliveries
	 * (the connection's reader to the puller), as with the raw client, instead of two
	 * (reader to pool thread, pool thread to puller) with a wake-up per message whenever
	 * the puller is faster than the pool thread.
	 */
	void pulling() {
		if (!this.engaged) {
			this.lock.lock();
			try {
				this.engaged = true;
				updateHandsToPullers();
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/**
	 * Whether callbacks wait for a pulling thread to run them (read without a lock, so a
	 * pull that finds none pays no lock).
	 * @return whether some may
	 */
	boolean hasHanded() {
		return this.handed.any();
	}

	/**
	 * The first callback waiting for a pulling thread, which the caller then runs, and
	 * the rest, with {@link #runHanded(Runnable, boolean)}.
	 * @return the callback, or {@code null} if there is none
	 */
	@Nullable Runnable takeHanded() {
		this.lock.lock();
		try {
			return this.handed.poll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Gives the callbacks still handed out to the pool if no pulling thread took one
	 * since the sweep was scheduled ({@link HandedCallbacks}); the pullers then count as
	 * gone until one pulls again.
	 */
	private void sweep() {
		List<Runnable> stale;
		this.lock.lock();
		try {
			stale = this.handed.stale(this.sweep);
			if (stale != null) {
				this.engaged = false;
				updateHandsToPullers();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (stale != null) {
			stale.forEach(this.pool::execute);
		}
	}

	/**
	 * A thread of the queue is about to wait for a message: callbacks may be handed to it
	 * meanwhile. Called under the queue's lock.
	 * @param queue the queue the thread waits on
	 * @return false if callbacks wait to be run: the thread runs them instead of waiting
	 * (one handed out as it was about to wait would not wake it)
	 */
	boolean waiting(Puller queue) {
		this.lock.lock();
		try {
			if (!this.handed.isEmpty()) {
				return false;
			}
			this.waiting.add(queue);
			updateHandsToPullers();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The thread stopped waiting: nothing more is handed to it. Called under the queue's
	 * lock.
	 * @param queue the queue the thread waited on
	 * @return the first callback handed out so far, which the thread then runs, and the
	 * rest, with {@link #runHanded(Runnable, boolean)} without the queue's lock; or
	 * {@code null} if there is none (most wake-ups are for a message), so the lock is
	 * kept
	 */
	@Nullable Runnable stoppedWaiting(Puller queue) {
		this.lock.lock();
		try {
			// absent if a callback was handed to it: it is in handed
			this.waiting.removeFirstOccurrence(queue);
			updateHandsToPullers();
			return this.handed.poll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A client on this dispatch's connections started consuming with a handler: from now
	 * on the pool runs every callback, as it may be the handler's.
	 */
	void handlerStarted() {
		addHandlerClients(1);
	}

	/** A client that consumed with a handler stopped (closed, or failed to start). */
	void handlerStopped() {
		addHandlerClients(-1);
	}

	private void addHandlerClients(int delta) {
		List<Runnable> toPool = List.of();
		this.lock.lock();
		try {
			this.handlerClients += delta;
			updateHandsToPullers();
			if (this.handlerClients > 0) {
				// a callback runs whichever channel's deliveries are next, the handler's
				// too: none may be left for a puller
				toPool = this.handed.takeAll();
			}
		}
		finally {
			this.lock.unlock();
		}
		toPool.forEach(this.pool::execute);
	}

	private void updateHandsToPullers() {
		this.handsToPullers = this.handlerClients == 0 && (this.engaged || !this.waiting.isEmpty());
	}

	/**
	 * Runs the callbacks handed out so far, those handed to other waiting threads too (a
	 * thread woken for a callback another one ran finds none).
	 * @param first the first, from {@link #stoppedWaiting(Puller)}
	 * @param onPool whether the pool is to run them (the calling thread was interrupted,
	 * and a callback must not see its flag)
	 */
	void runHanded(Runnable first, boolean onPool) {
		Runnable callback = first;
		do {
			if (onPool) {
				this.pool.execute(callback);
			}
			else {
				// amqp-client's callbacks catch what a consumer throws and report it
				callback.run();
			}
		}
		while ((callback = nextHanded()) != null);
	}

	private @Nullable Runnable nextHanded() {
		this.lock.lock();
		try {
			return this.handed.poll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether a thread waits in a pull, free to be handed callbacks (what tests wait
	 * for).
	 * @return whether one waits
	 */
	boolean hasWaitingThread() {
		this.lock.lock();
		try {
			return !this.waiting.isEmpty();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void shutdown() {
		this.handed.shutdown();
		this.pool.shutdown();
	}

	@Override
	public List<Runnable> shutdownNow() {
		this.handed.shutdown();
		return this.pool.shutdownNow();
	}

	@Override
	public boolean isShutdown() {
		return this.pool.isShutdown();
	}

	@Override
	public boolean isTerminated() {
		return this.pool.isTerminated();
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
		return this.pool.awaitTermination(timeout, unit);
	}

	/**
	 * A thread waiting in a pull, as this dispatch sees it: its {@link DeliveryQueue}. An
	 * interface so that the dispatch does not depend on the queue that calls it.
	 */
	interface Puller {

		/** Wakes the pulling thread, to run the callbacks handed to it. */
		void wakeOne();

	}

}
