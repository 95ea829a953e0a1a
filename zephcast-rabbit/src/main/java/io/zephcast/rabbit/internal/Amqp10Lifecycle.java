package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.TopologyMismatchException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The lifecycle of an AMQP 1.0 client, as {@link ClientLifecycle} for AMQP 0-9-1:
 * connecting (idempotent; a failed connect leaves nothing open), stopping (consumers
 * stop, sends in flight are awaited), resuming and closing within the shutdown timeout. A
 * client that does not fail fast starts without the broker and connects, declares and
 * starts its consumers in the background once the broker answers, trying again with a
 * back-off; meanwhile sends fail as not sent. Once connected, the AMQP 1.0 client
 * recovers the connection and its links; after each recovery the client declares its
 * topology again (the AMQP 1.0 client declares again only exclusive or auto-delete
 * queues) and replaces the links the AMQP 1.0 client could not recover.
 */
final class Amqp10Lifecycle {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Amqp10Connection connection;

	private final Amqp10Topology declarations;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	private final @Nullable ExecutorService ownedCallbackExecutor;

	private static final Duration REPAIR_FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration REPAIR_MAX_DELAY = Duration.ofSeconds(15);

	private final ReentrantLock lock = new ReentrantLock();

	/**
	 * False while a client that does not fail fast waits for the broker (and for its
	 * topology and consumers).
	 */
	private volatile boolean ready;

	/**
	 * Where connecting later and repairing after a recovery run; created under the lock.
	 */
	private volatile @Nullable ScheduledExecutorService repairs;

	/** Whether a repair waits on {@link #repairs}; under the lock. */
	private boolean repairScheduled;

	/** The last repair scheduled; under the lock. */
	private @Nullable ScheduledFuture<?> scheduledRepair;

	/** Whether the links are to move to a new connection; under the lock. */
	private boolean linksToMove;

	private volatile ClientLifecycle.State state = ClientLifecycle.State.NEW;

	/** How the application consumes, to resume it after a stop; under the lock. */
	private Amqp10Consumption.@Nullable Mode mode;

	private @Nullable RabbitMessageHandler handler;

	Amqp10Lifecycle(String streamName, RabbitConfig config, RabbitTopology topology, Amqp10Connection connection,
			Amqp10Publisher publisher, Amqp10Consumption consumption, @Nullable ExecutorService ownedCallbackExecutor) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.connection = connection;
		this.declarations = new Amqp10Topology(config);
		this.publisher = publisher;
		this.consumption = consumption;
		this.ownedCallbackExecutor = ownedCallbackExecutor;
		connection.onRecovered(this::recovered);
	}

	ClientLifecycle.State state() {
		return this.state;
	}

	boolean isConnected() {
		return this.state == ClientLifecycle.State.RUNNING && this.ready && this.connection.connection() != null;
	}

	void connect() {
		this.lock.lock();
		try {
			switch (this.state) {
				case RUNNING -> {
					return;
				}
				case STOPPED -> {
					if (!this.ready) {
						// stopped before the broker first answered: no attempt was made
						// while stopped
						this.state = ClientLifecycle.State.RUNNING;
						scheduleRepair(REPAIR_FIRST_DELAY);
						return;
					}
					Connection open = this.connection.open();
					if (this.mode != null) {
						startConsumers(open, this.mode, this.handler);
					}
					this.state = ClientLifecycle.State.RUNNING;
					return;
				}
				case NEW -> {
					// connects below
				}
				default -> throw notRunning(this.state);
			}
			try {
				openAll();
			}
			catch (RabbitConnectionException ex) {
				if (this.config.failFast()) {
					throw ex;
				}
				logger.warn(ex.getMessage() + "; failFast is off, so the client starts anyway and connects when the "
						+ "broker answers");
				this.state = ClientLifecycle.State.RUNNING;
				scheduleRepair(REPAIR_FIRST_DELAY);
				return;
			}
			this.state = ClientLifecycle.State.RUNNING;
			logConnected();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Connects, declares, opens the publisher and starts the consumers asked for; the
	 * client is ready only when all of it succeeded. A failure leaves nothing open (the
	 * application may not even hold the client), so that the next attempt does it all
	 * again. Under the lock.
	 */
	private void openAll() {
		try {
			Connection open = this.connection.open();
			this.declarations.apply(open, this.topology.declarables());
			this.publisher.open(open);
			if (this.mode != null) {
				startConsumers(open, this.mode, this.handler);
			}
		}
		catch (RuntimeException ex) {
			this.publisher.close();
			this.connection.close();
			throw ex;
		}
		this.ready = true;
	}

	private void logConnected() {
		if (logger.isInfoEnabled()) {
			logger.info("RabbitClient '" + this.streamName + "' connected to " + this.config.maskedAddresses()
					+ " over AMQP 1.0");
		}
	}

	/** On the AMQP 1.0 client's thread: the repair runs on the client's own. */
	private void recovered() {
		this.lock.lock();
		try {
			ScheduledFuture<?> waiting = this.scheduledRepair;
			if (this.repairScheduled && waiting != null && waiting.getDelay(TimeUnit.NANOSECONDS) > 0
					&& waiting.cancel(false)) {
				// waiting out a back-off: the connection is back, so it runs now
				this.repairScheduled = false;
			}
			scheduleRepair(Duration.ZERO);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Under the lock; one repair at a time waits. */
	private void scheduleRepair(Duration delay) {
		if (this.repairScheduled || this.state == ClientLifecycle.State.CLOSING
				|| this.state == ClientLifecycle.State.CLOSED) {
			return;
		}
		if (this.repairs == null) {
			CustomizableThreadFactory threads = new CustomizableThreadFactory(
					"zephcast-" + this.streamName + "-reconnect-");
			threads.setDaemon(true);
			this.repairs = Executors.newSingleThreadScheduledExecutor(threads);
		}
		try {
			// the delay the attempt doubles if it fails
			Duration backOff = delay.isZero() ? REPAIR_FIRST_DELAY : delay;
			this.scheduledRepair = this.repairs.schedule(() -> repair(backOff), delay.toMillis(),
					TimeUnit.MILLISECONDS);
			this.repairScheduled = true;
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/**
	 * Connects a client that did not fail fast once the broker answers; after a recovery,
	 * declares the topology again (idempotent) and replaces the links the AMQP 1.0 client
	 * could not recover. A stopped client does not try to connect: {@code connect()}
	 * schedules the next attempt. What fails is tried again, with a back-off.
	 */
	private void repair(Duration delay) {
		this.lock.lock();
		try {
			this.repairScheduled = false;
			ClientLifecycle.State current = this.state;
			if (!this.ready) {
				if (current == ClientLifecycle.State.RUNNING) {
					openAll();
					logConnected();
				}
				return;
			}
			if (current == ClientLifecycle.State.CLOSING || current == ClientLifecycle.State.CLOSED) {
				return;
			}
			Connection open = this.connection.connection();
			boolean renew = open == null || this.publisher.isLost() || this.consumption.linksLost();
			if (renew) {
				this.linksToMove = true;
				// links the AMQP 1.0 client could not attach again (their queue was gone:
				// RabbitMQ then ends the session every link of the connection shares, and
				// the connection keeps it): only a new connection has a working session
				if (logger.isInfoEnabled()) {
					logger.info("RabbitClient '" + this.streamName + "' reconnects over AMQP 1.0: the connection "
							+ "recovered without all of its links");
				}
				this.connection.close();
				open = this.connection.open();
			}
			// until all of them moved: a later attempt moves them on the same connection
			boolean move = this.linksToMove;
			this.declarations.apply(open, this.topology.declarables());
			if (move) {
				this.publisher.reopen(open);
			}
			else {
				this.publisher.reopenIfLost(open);
			}
			if (this.mode != null && current == ClientLifecycle.State.RUNNING) {
				startConsumers(open, this.mode, this.handler);
				this.consumption.reattach(open, move);
			}
			this.linksToMove = false;
		}
		catch (RuntimeException ex) {
			ScheduledExecutorService current = this.repairs;
			if (current == null || current.isShutdown()) {
				// interrupted by close: nothing went wrong
				return;
			}
			if (ex instanceof TopologyMismatchException) {
				logger.error(ex.getMessage());
			}
			else if (logger.isDebugEnabled()) {
				logger.debug(ex.getMessage() + "; trying again in " + delay);
			}
			Duration doubled = delay.multipliedBy(2);
			scheduleRepair((doubled.compareTo(REPAIR_MAX_DELAY) > 0) ? REPAIR_MAX_DELAY : doubled);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Sends are accepted while running, stopping or closing (handlers finishing). */
	void checkSendable() {
		ClientLifecycle.State current = this.state;
		if (current != ClientLifecycle.State.RUNNING && current != ClientLifecycle.State.STOPPING
				&& current != ClientLifecycle.State.CLOSING) {
			throw notRunning(current);
		}
	}

	/**
	 * Starts consuming under the lock, declaring first what the consumers need (the queue
	 * when not declared on connect, the retry and dead-letter queues).
	 */
	void startConsuming(Amqp10Consumption.Mode wanted, @Nullable RabbitMessageHandler wantedHandler) {
		if (wanted == Amqp10Consumption.Mode.PULL && this.mode == wanted
				&& this.state == ClientLifecycle.State.RUNNING) {
			return;
		}
		this.lock.lock();
		try {
			if (this.state != ClientLifecycle.State.RUNNING) {
				throw notRunning(this.state);
			}
			// before any start: consumers left to a repair have not told the consumption
			checkSameConsumption(wanted, wantedHandler);
			Connection open = this.connection.connection();
			if (!this.ready || open == null) {
				// not connected yet (failFast off): the consumers start once connected
				this.mode = wanted;
				this.handler = wantedHandler;
				return;
			}
			try {
				startConsumers(open, wanted, wantedHandler);
			}
			catch (RuntimeException ex) {
				if (!isConnectionLoss(ex)) {
					throw ex;
				}
				// the connection was lost as the consumers started (the AMQP 1.0 client
				// opens no link while it recovers): as when not connected yet, they start
				// once it is back, and the application waits for messages meanwhile, as
				// over AMQP 0-9-1, instead of failing on a loss the client recovers from
				if (logger.isDebugEnabled()) {
					logger.debug("RabbitClient '" + this.streamName + "' starts consuming once its AMQP 1.0 connection "
							+ "recovers: " + ex.getMessage());
				}
				deferConsumers(wanted, wantedHandler);
				return;
			}
			this.mode = wanted;
			this.handler = wantedHandler;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Whether starting failed because the connection is lost: the AMQP 1.0 client refuses
	 * links and management requests while it recovers (or fails those under way when the
	 * connection drops). A refusal by the broker on an open connection (a queue that does
	 * not exist, a mismatched topology) is not one.
	 */
	private static boolean isConnectionLoss(RuntimeException ex) {
		return ex instanceof RabbitConnectionException || ex instanceof AmqpException.AmqpConnectionException
				|| ex instanceof AmqpException.AmqpResourceInvalidStateException;
	}

	/**
	 * Leaves the consumers asked for to the repair that follows the connection's
	 * recovery; under the lock. A repair is also scheduled after the first back-off, in
	 * case no recovery is to come (links refused on a connection that stays open): the
	 * recovery brings it forward.
	 */
	private void deferConsumers(Amqp10Consumption.Mode wanted, @Nullable RabbitMessageHandler wantedHandler) {
		this.mode = wanted;
		this.handler = wantedHandler;
		scheduleRepair(REPAIR_FIRST_DELAY);
	}

	/** As {@link Amqp10Consumption#start} checks, before it can be called. */
	private void checkSameConsumption(Amqp10Consumption.Mode wanted, @Nullable RabbitMessageHandler wantedHandler) {
		if (wanted == Amqp10Consumption.Mode.PUSH && wantedHandler == null) {
			throw new IllegalArgumentException("A handler is needed to push messages");
		}
		if (this.mode != null && (this.mode != wanted || wantedHandler != this.handler)) {
			throw new IllegalStateException("RabbitClient '" + this.streamName + "' already consumes by "
					+ ((this.mode == Amqp10Consumption.Mode.PUSH) ? "a handler" : "receive/iteration")
					+ "; a client either pulls or has one handler");
		}
	}

	private void startConsumers(Connection open, Amqp10Consumption.Mode wanted,
			@Nullable RabbitMessageHandler wantedHandler) {
		if (!this.topology.declaresQueueOnConnect()) {
			this.declarations.apply(open, this.topology.consumerDeclarables());
		}
		this.declarations.applyRetryQueues(open, this.topology.retryQueues().declarables());
		this.consumption.start(open, wanted, wantedHandler);
	}

	void stop() {
		if (!enter(ClientLifecycle.State.STOPPING, ClientLifecycle.State.RUNNING)) {
			return;
		}
		try {
			drain(System.nanoTime() + this.config.shutdownTimeout().toNanos());
		}
		finally {
			enter(ClientLifecycle.State.STOPPED, ClientLifecycle.State.STOPPING);
		}
	}

	/**
	 * Closes within the shutdown timeout: consumers stop, sends in flight are awaited,
	 * then the connection and the environment close on a thread of their own, waited for
	 * until the deadline only.
	 */
	void close() {
		long deadline = System.nanoTime() + this.config.shutdownTimeout().toNanos();
		ScheduledExecutorService pendingRepairs = this.repairs;
		if (pendingRepairs != null) {
			// before taking the lock: a repair under way holds it, and is interrupted (a
			// connect to a broker that does not answer would hold it long)
			pendingRepairs.shutdownNow();
		}
		this.lock.lock();
		try {
			if (this.state == ClientLifecycle.State.CLOSING || this.state == ClientLifecycle.State.CLOSED) {
				return;
			}
			this.state = ClientLifecycle.State.CLOSING;
			if (this.repairs != null) {
				// one created meanwhile
				this.repairs.shutdownNow();
			}
		}
		finally {
			this.lock.unlock();
		}
		try {
			drain(deadline);
			Thread closer = new Thread(() -> {
				this.publisher.close();
				this.connection.close();
			}, "zephcast-" + this.streamName + "-close");
			closer.setDaemon(true);
			closer.start();
			long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
			closer.join(remaining);
			if (closer.isAlive() && logger.isWarnEnabled()) {
				logger.warn("RabbitClient '" + this.streamName + "' did not close its AMQP 1.0 connection within "
						+ this.config.shutdownTimeout() + "; it is left to close in the background");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			if (this.ownedCallbackExecutor != null) {
				this.ownedCallbackExecutor.shutdown();
			}
			this.state = ClientLifecycle.State.CLOSED;
		}
	}

	private void drain(long deadline) {
		this.consumption.stop(deadline);
		if (!this.publisher.awaitSettlements(deadline) && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.streamName + "' has " + this.publisher.unsettled()
					+ " send(s) not yet settled after " + this.config.shutdownTimeout());
		}
	}

	private boolean enter(ClientLifecycle.State next, ClientLifecycle.State from) {
		this.lock.lock();
		try {
			if (this.state != from) {
				return false;
			}
			this.state = next;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	IllegalStateException notRunning(ClientLifecycle.State current) {
		return switch (current) {
			case NEW -> new IllegalStateException(
					"RabbitClient '" + this.streamName + "' is not connected: call connect() first");
			case STOPPING, STOPPED ->
				new IllegalStateException("RabbitClient '" + this.streamName + "' is stopped: start() resumes it");
			default -> new IllegalStateException("RabbitClient '" + this.streamName + "' is closed");
		};
	}

}
