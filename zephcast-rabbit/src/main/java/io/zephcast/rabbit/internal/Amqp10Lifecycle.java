package io.zephcast.rabbit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of an AMQP 1.0 client, as {@link ClientLifecycle} for AMQP 0-9-1:
 * connecting (idempotent; a failed connect leaves nothing open), stopping (consumers
 * stop, sends in flight are awaited), resuming and closing within the shutdown timeout. A
 * client that does not fail fast starts without the broker and connects, declares and
 * starts its consumers in the background once the broker answers, trying again with a
 * back-off; meanwhile sends fail as not sent. Once connected, the AMQP 1.0 client
 * recovers the connection and its links; after each recovery the client declares its
 * topology again (the AMQP 1.0 client declares again only exclusive or auto-delete
 * queues) and replaces the links the AMQP 1.0 client could not recover: both are
 * {@link Amqp10Repairs}, under this lifecycle's lock.
 */
final class Amqp10Lifecycle implements Amqp10Repairs.Client {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Amqp10Connection connection;

	private final Amqp10Topology declarations;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	private final @Nullable ExecutorService ownedCallbackExecutor;

	/** Connecting later, and what follows a recovery. */
	private final Amqp10Repairs repairs;

	private final ReentrantLock lock = new ReentrantLock();

	/**
	 * False while a client that does not fail fast waits for the broker (and for its
	 * topology and consumers).
	 */
	private volatile boolean ready;

	private volatile ClientLifecycle.State state = ClientLifecycle.State.NEW;

	/** Set by a close that went on without the lock (a connect held it too long). */
	private volatile boolean closedUnlocked;

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
		this.repairs = new Amqp10Repairs(streamName, this, this.lock, topology, connection, this.declarations,
				publisher, consumption);
		connection.onRecovered(this.repairs::recovered);
	}

	@Override
	public ClientLifecycle.State state() {
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
						running();
						this.repairs.schedule(Amqp10Repairs.FIRST_DELAY);
						return;
					}
					Connection open = this.connection.open();
					if (this.mode != null) {
						startConsumers(open, this.mode, this.handler);
					}
					running();
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
				running();
				this.repairs.schedule(Amqp10Repairs.FIRST_DELAY);
				return;
			}
			running();
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

	@Override
	public boolean isReady() {
		return this.ready;
	}

	@Override
	public void connectNow() {
		openAll();
		logConnected();
	}

	@Override
	public boolean resumeConsumers(Connection open) {
		if (this.mode == null) {
			return false;
		}
		startConsumers(open, this.mode, this.handler);
		return true;
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
			Amqp10Consumption.checkSame(this.streamName, this.mode, this.handler, wanted, wantedHandler);
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
				if (!Amqp10Connection.isLoss(ex)) {
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
	 * Leaves the consumers asked for to the repair that follows the connection's
	 * recovery; under the lock. A repair is also scheduled after the first back-off, in
	 * case no recovery is to come (links refused on a connection that stays open): the
	 * recovery brings it forward.
	 */
	private void deferConsumers(Amqp10Consumption.Mode wanted, @Nullable RabbitMessageHandler wantedHandler) {
		this.mode = wanted;
		this.handler = wantedHandler;
		this.repairs.schedule(Amqp10Repairs.FIRST_DELAY);
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
	 * until the deadline only. The lock too is waited for until the deadline only
	 * ({@link #lockBy}).
	 */
	void close() {
		long deadline = System.nanoTime() + this.config.shutdownTimeout().toNanos();
		// before taking the lock: a repair under way holds it
		this.repairs.shutdown();
		boolean locked = lockBy(deadline);
		if (!locked) {
			this.closedUnlocked = true;
		}
		try {
			if (locked && (this.state == ClientLifecycle.State.CLOSING || this.state == ClientLifecycle.State.CLOSED)) {
				return;
			}
			this.state = ClientLifecycle.State.CLOSING;
			// one scheduled meanwhile
			this.repairs.shutdown();
		}
		finally {
			if (locked) {
				this.lock.unlock();
			}
		}
		try {
			drain(deadline);
			Thread closer = new Thread(() -> {
				this.publisher.close();
				// for good: a connect that held the lock past the deadline opens nothing
				// after this, and what it opens meanwhile is closed here once it returns
				this.connection.shutdown();
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

	/**
	 * Takes the lock by the close's deadline, as {@link DeadlineClose} does over AMQP
	 * 0-9-1: a connect that holds it longer (a broker that does not answer: the AMQP 1.0
	 * client waits up to its open timeout, 15 s) does not hold the close up. The close
	 * then goes on without the lock; the connect neither opens again
	 * ({@link Amqp10Connection#shutdown}) nor starts the client ({@link #running}).
	 * @return whether the lock is held
	 */
	private boolean lockBy(long deadline) {
		if (DeadlineClose.tryLockBy(this.lock, deadline)) {
			return true;
		}
		if (logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.streamName + "' closes without waiting any longer for a connect "
					+ "under way after " + this.config.shutdownTimeout() + "; it is closed once it returns");
		}
		return false;
	}

	/**
	 * The client runs, under the lock, unless a close that could not take the lock went
	 * on meanwhile: it has the last word, and what the connect opened is released. The
	 * state is written before the flag is read, as the close writes the flag before its
	 * last state: either this sees the flag, or the close's CLOSED comes after this.
	 */
	private void running() {
		this.state = ClientLifecycle.State.RUNNING;
		if (this.closedUnlocked) {
			this.state = ClientLifecycle.State.CLOSED;
			this.publisher.close();
			this.connection.shutdown();
			throw notRunning(ClientLifecycle.State.CLOSED);
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
