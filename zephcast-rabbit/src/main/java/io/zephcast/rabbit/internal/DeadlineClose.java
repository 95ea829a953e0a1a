package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.zephcast.rabbit.RabbitClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a {@link RabbitClient}'s close within its shutdown timeout, whatever the broker
 * (a memory alarm: it reads nothing more from a blocked connection, so no close-ok
 * comes), the network (a link that swallows packets) or the handlers (one that never
 * returns) do. The closing runs on a thread of its own; past the deadline, the client's
 * connections are aborted, which completes what still waits on them: their channels shut
 * down, so unconfirmed sends fail as "may have been stored" and the closing thread's
 * waits end.
 */
final class DeadlineClose {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/**
	 * How long each connection may wait for the broker's close-ok once the close is past
	 * its deadline and aborts them.
	 */
	private static final int ABORT_TIMEOUT_MILLIS = 500;

	/**
	 * How long a close past its deadline waits, after aborting the connections, for what
	 * waited on them to complete: the abort's own timeout and a little more.
	 */
	private static final Duration ABORT_GRACE = Duration.ofMillis(ABORT_TIMEOUT_MILLIS + 1000);

	private final String streamName;

	private final Duration shutdownTimeout;

	private final Connector connector;

	private final @Nullable ExecutorService ownedCallbackExecutor;

	private final ExecutorService timer;

	DeadlineClose(String streamName, Duration shutdownTimeout, Connector connector,
			@Nullable ExecutorService ownedCallbackExecutor, ExecutorService timer) {
		this.streamName = streamName;
		this.shutdownTimeout = shutdownTimeout;
		this.connector = connector;
		this.ownedCallbackExecutor = ownedCallbackExecutor;
		this.timer = timer;
	}

	/**
	 * Drains, then releases, on a closing thread, and returns by the deadline (plus the
	 * abort's grace when it is missed), with the sends' completions on the client's own
	 * callback pool run.
	 * @param deadline the {@link System#nanoTime()} to be done by
	 * @param drain what waits for consumers and confirms, within the deadline
	 * @param release what closes the channels, the container and the connections
	 */
	void close(long deadline, Runnable drain, Runnable release) {
		CountDownLatch closed = new CountDownLatch(1);
		Thread closing = new Thread(() -> {
			try {
				drain.run();
			}
			finally {
				try {
					release.run();
				}
				finally {
					closed.countDown();
				}
			}
		}, "zephcast-" + this.streamName + "-close");
		closing.setDaemon(true);
		closing.start();
		// an interrupted caller still gets the whole shutdown timeout: the interrupt is
		// kept for later
		boolean interrupted = Thread.interrupted();
		boolean inTime;
		try {
			inTime = closed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) && awaitCallbacks(deadline);
		}
		catch (InterruptedException ex) {
			interrupted = true;
			inTime = false;
		}
		if (!inTime) {
			abort(closed);
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Aborts the connections and waits a little for what waited on them to complete, on
	 * the callback pool too.
	 */
	private void abort(CountDownLatch closed) {
		logger.warn("RabbitClient '" + this.streamName + "' did not close within " + this.shutdownTimeout
				+ ": aborting its connections; sends not yet confirmed fail as 'may have been stored'");
		long graceEnd = System.nanoTime() + ABORT_GRACE.toNanos();
		abortConnections();
		try {
			if (!closed.await(ABORT_TIMEOUT_MILLIS + 200, TimeUnit.MILLISECONDS)) {
				// an abort stuck on a socket write, or a connection still in its
				// handshake
				this.connector.closeSockets();
			}
			if (!closed.await(graceEnd - System.nanoTime(), TimeUnit.NANOSECONDS) || !awaitCallbacks(graceEnd)) {
				logger.warn("RabbitClient '" + this.streamName + "' is still closing " + ABORT_GRACE
						+ " after aborting its connections; it finishes in the background");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			// no task of a closed client runs again, even if its closing thread is stuck
			this.timer.shutdownNow();
		}
	}

	/**
	 * Aborts the client's own connections, each within the abort timeout, and refuses new
	 * ones.
	 */
	void abortConnections() {
		this.connector.abort(ABORT_TIMEOUT_MILLIS, "zephcast-" + this.streamName + "-abort");
	}

	/**
	 * Takes the lock by the deadline, for a close: a connect that holds it longer (a
	 * broker or network that does not answer) has the client's connections aborted, and
	 * their sockets closed if that is not enough, which ends it.
	 * @param lock the lifecycle's lock
	 * @param deadline the {@link System#nanoTime()} to take it by
	 */
	void lockBy(ReentrantLock lock, long deadline) {
		// an interrupted caller still closes in order: the interrupt is kept for later
		boolean interrupted = Thread.interrupted();
		try {
			if (lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
				return;
			}
			abortConnections();
			if (lock.tryLock(ABORT_TIMEOUT_MILLIS + 200, TimeUnit.MILLISECONDS)) {
				return;
			}
			this.connector.closeSockets();
			lock.lock();
		}
		catch (InterruptedException ex) {
			interrupted = true;
			lock.lock();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Tries to take the lock by the deadline; an interrupted caller still tries until
	 * then (the interrupt is kept for later), as a close must keep its order.
	 * @param lock the lifecycle's lock
	 * @param deadline the {@link System#nanoTime()} to take it by
	 * @return whether the lock is held
	 */
	static boolean tryLockBy(ReentrantLock lock, long deadline) {
		boolean interrupted = Thread.interrupted();
		try {
			while (true) {
				try {
					return lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Waits for the client's own callback pool (shut down by the release) to have run the
	 * completions queued on it.
	 * @return whether it finished in time
	 */
	private boolean awaitCallbacks(long deadline) throws InterruptedException {
		if (this.ownedCallbackExecutor == null) {
			return true;
		}
		this.ownedCallbackExecutor.shutdown();
		if (Thread.currentThread() instanceof ForkJoinWorkerThread worker
				&& worker.getPool() == this.ownedCallbackExecutor) {
			// closed from a callback: the pool cannot end before this thread returns
			return true;
		}
		return this.ownedCallbackExecutor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
	}

}
