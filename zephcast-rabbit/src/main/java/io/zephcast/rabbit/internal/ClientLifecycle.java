package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.TopologyMismatchException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Declarables;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The lifecycle of a {@link RabbitClient}: connecting (and, for a client that does not
 * fail fast, connecting later), stopping, resuming and closing, in the order that loses
 * nothing, within the shutdown timeout.
 */
final class ClientLifecycle {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private static final Duration RECONNECT_FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(15);

	enum State {

		NEW, RUNNING, STOPPING, STOPPED, CLOSING, CLOSED

	}

	private final String streamName;

	private final RabbitConfig config;

	private final Declarables declarables;

	private final Connector connector;

	private final Publisher publisher;

	private final Consumption consumption;

	private final @Nullable ExecutorService ownedCallbackExecutor;

	private final ScheduledExecutorService timer;

	private final DeadlineClose deadlineClose;

	private final ReentrantLock lock = new ReentrantLock();

	private volatile State state = State.NEW;

	/**
	 * Whether the timer runs the sweeps: from the first connect, so that a client that
	 * never connected has no timer thread. Under the lock.
	 */
	private boolean sweeping;

	/** Whether a reconnect waits on the timer. Under the lock. */
	private boolean reconnectScheduled;

	ClientLifecycle(String streamName, RabbitConfig config, Declarables declarables, Connector connector,
			Publisher publisher, Consumption consumption, Executor callbackExecutor, boolean ownsCallbackExecutor) {
		this.streamName = streamName;
		this.config = config;
		this.declarables = declarables;
		this.connector = connector;
		this.publisher = publisher;
		this.consumption = consumption;
		this.ownedCallbackExecutor = (ownsCallbackExecutor && callbackExecutor instanceof ExecutorService executor)
				? executor : null;
		CustomizableThreadFactory timerThreads = new CustomizableThreadFactory("zephcast-" + streamName + "-timer-");
		timerThreads.setDaemon(true);
		this.timer = Executors.newSingleThreadScheduledExecutor(timerThreads);
		this.deadlineClose = new DeadlineClose(streamName, config.shutdownTimeout(), connector,
				this.ownedCallbackExecutor, this.timer);
	}

	/**
	 * Starts the timer's sweeps (overdue confirms, held acks) once, when the client first
	 * runs: the timer's thread starts with the first task.
	 */
	private void startSweeps() {
		if (this.sweeping) {
			return;
		}
		this.sweeping = true;
		long sweepMillis = Math.max(10, Math.min(1000, this.config.confirmTimeout().toMillis() / 4));
		this.timer.scheduleWithFixedDelay(this.publisher::failOverdue, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
		long ackSweepMillis = this.consumption.ackSweepMillis();
		if (ackSweepMillis > 0) {
			this.timer.scheduleWithFixedDelay(this.consumption::flushOverdueAcks, ackSweepMillis, ackSweepMillis,
					TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * The pool a client completes its futures on when the application gives none: a
	 * callback must never run on (and block) a broker thread.
	 */
	static ExecutorService callbackPool(String streamName) {
		int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
		return new ForkJoinPool(parallelism, (pool) -> {
			ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
			thread.setName("zephcast-" + streamName + "-callback-" + thread.getPoolIndex());
			return thread;
		}, null, true);
	}

	State state() {
		return this.state;
	}

	boolean isConnected() {
		return this.state == State.RUNNING && this.connector.isReady();
	}

	void connect() {
		this.lock.lock();
		try {
			switch (this.state) {
				case RUNNING -> {
					return;
				}
				case STOPPED -> {
					this.consumption.restartConsumers();
					this.state = State.RUNNING;
					if (!this.connector.isReady()) {
						// stopped before the broker first answered: a reconnect due
						// while stopped did not try
						scheduleReconnect(RECONNECT_FIRST_DELAY);
					}
					return;
				}
				case NEW -> {
					// connects below
				}
				default -> throw notRunning(this.state);
			}
			try {
				this.connector.open(this.declarables);
				logConnected();
			}
			catch (RabbitConnectionException ex) {
				if (this.config.failFast()) {
					this.connector.reset();
					throw ex;
				}
				logger.warn(ex.getMessage() + "; failFast is off, so the client starts anyway and connects when the "
						+ "broker answers");
				scheduleReconnect(RECONNECT_FIRST_DELAY);
			}
			catch (RuntimeException ex) {
				// the application may not even hold the client (a try-with-resources
				// whose connect() threw): nothing may stay open; connect() can try again
				this.connector.reset();
				throw ex;
			}
			startSweeps();
			this.state = State.RUNNING;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void logConnected() {
		if (logger.isInfoEnabled()) {
			logger.info("RabbitClient '" + this.streamName + "' connected to " + this.config.maskedAddresses());
		}
	}

	/** Called under the lock; one reconnect at a time waits on the timer. */
	private void scheduleReconnect(Duration delay) {
		if (this.reconnectScheduled) {
			return;
		}
		try {
			this.timer.schedule(() -> reconnect(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
			this.reconnectScheduled = true;
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/**
	 * For a client that did not fail fast: connects, declares and starts the consumers it
	 * was asked for, once the broker answers; the client is ready only when all of it
	 * succeeded, so that the next attempt redoes what failed. After that, Spring AMQP's
	 * own recovery takes over. A stopped client does not try: {@code start()} schedules
	 * the next attempt.
	 */
	private void reconnect(Duration lastDelay) {
		this.lock.lock();
		try {
			this.reconnectScheduled = false;
			if (this.state != State.RUNNING || this.connector.isReady()) {
				return;
			}
			this.connector.open(this.declarables, () -> {
				if (this.consumption.mode() != Consumption.Mode.NONE) {
					this.consumption.startConsumers();
				}
			});
			logConnected();
		}
		catch (RuntimeException ex) {
			Duration next = lastDelay.multipliedBy(2).compareTo(RECONNECT_MAX_DELAY) > 0 ? RECONNECT_MAX_DELAY
					: lastDelay.multipliedBy(2);
			if (logger.isDebugEnabled()) {
				logger.debug(ex.getMessage() + "; trying again in " + next);
			}
			if (ex instanceof TopologyMismatchException) {
				logger.error(ex.getMessage());
			}
			scheduleReconnect(next);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Sends are accepted while running, and while stopping or closing (handlers finishing
	 * may send).
	 */
	void checkSendable() {
		State current = this.state;
		if (current != State.RUNNING && current != State.STOPPING && current != State.CLOSING) {
			throw notRunning(current);
		}
	}

	/**
	 * Starts consuming under the lifecycle lock, so that it cannot race a stop or close.
	 */
	void startConsuming(Consumption.Mode mode, @Nullable RabbitMessageHandler handler) {
		if (mode == Consumption.Mode.PULL && this.consumption.mode() == mode && this.state == State.RUNNING) {
			return;
		}
		this.lock.lock();
		try {
			if (this.state != State.RUNNING) {
				throw notRunning(this.state);
			}
			this.consumption.consumeIn(mode, handler);
		}
		finally {
			this.lock.unlock();
		}
	}

	void stop() {
		if (!enter(State.STOPPING, State.RUNNING)) {
			return;
		}
		try {
			drain(System.nanoTime() + this.config.shutdownTimeout().toNanos(), false);
		}
		finally {
			// a close that came meanwhile has the last word
			enter(State.STOPPED, State.STOPPING);
		}
	}

	/**
	 * Closes within the shutdown timeout, whatever the broker, the network or the
	 * handlers do ({@link DeadlineClose}).
	 */
	void close() {
		long deadline = System.nanoTime() + this.config.shutdownTimeout().toNanos();
		this.deadlineClose.lockBy(this.lock, deadline);
		try {
			if (this.state == State.CLOSING || this.state == State.CLOSED) {
				return;
			}
			this.state = State.CLOSING;
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.deadlineClose.close(deadline, () -> drain(deadline, true), this::releaseResources);
		}
		finally {
			enter(State.CLOSED, State.CLOSING);
		}
	}

	/**
	 * Moves to the given state if the client is in one of the states it may come from.
	 */
	private boolean enter(State next, State... from) {
		this.lock.lock();
		try {
			if (!List.of(from).contains(this.state)) {
				return false;
			}
			this.state = next;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops consuming gracefully and waits for outstanding confirms, both within one
	 * shutdown timeout. Sends are still accepted meanwhile (handlers finishing may send).
	 * @param deadline the {@link System#nanoTime()} to be done by
	 * @param endPulls whether waiting pulls end (close) or wait for a restart (stop)
	 */
	private void drain(long deadline, boolean endPulls) {
		this.consumption.stop(deadline, endPulls);
		if (!this.publisher.awaitConfirms(deadline) && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.streamName + "' has " + this.publisher.unconfirmed()
					+ " send(s) not yet confirmed after " + this.config.shutdownTimeout()
					+ (endPulls ? "; closing fails them as 'may have been stored'"
							: "; they still complete with the broker's confirm or the confirm timeout"));
		}
	}

	private void releaseResources() {
		this.publisher.close();
		this.consumption.destroy();
		this.connector.close();
		if (this.ownedCallbackExecutor != null) {
			this.ownedCallbackExecutor.shutdown();
		}
		this.timer.shutdownNow();
		if (logger.isDebugEnabled()) {
			logger.debug("RabbitClient '" + this.streamName + "' closed");
		}
	}

	IllegalStateException notRunning(State current) {
		return switch (current) {
			case NEW -> new IllegalStateException(
					"RabbitClient '" + this.streamName + "' is not connected: call connect() first");
			case STOPPING, STOPPED ->
				new IllegalStateException("RabbitClient '" + this.streamName + "' is stopped: start() resumes it");
			default -> new IllegalStateException("RabbitClient '" + this.streamName + "' is closed");
		};
	}

}
