package io.zephcast.rabbit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of an AMQP 1.0 client, as {@link ClientLifecycle} for AMQP 0-9-1:
 * connecting (idempotent; a failed connect leaves nothing open), stopping (consumers
 * stop, sends in flight are awaited), resuming and closing within the shutdown timeout.
 * AMQP 1.0 connects fail fast: the AMQP 1.0 client recovers a connection once open, but a
 * first connect that fails throws whatever {@code failFast} says.
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

	private final ReentrantLock lock = new ReentrantLock();

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
	}

	ClientLifecycle.State state() {
		return this.state;
	}

	boolean isConnected() {
		return this.state == ClientLifecycle.State.RUNNING && this.connection.connection() != null;
	}

	void connect() {
		this.lock.lock();
		try {
			switch (this.state) {
				case RUNNING -> {
					return;
				}
				case STOPPED -> {
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
				Connection open = this.connection.open();
				this.declarations.apply(open, this.topology.declarables());
				this.publisher.open(open);
			}
			catch (RuntimeException ex) {
				// the application may not even hold the client: nothing may stay open
				this.publisher.close();
				this.connection.close();
				throw ex;
			}
			this.state = ClientLifecycle.State.RUNNING;
			if (logger.isInfoEnabled()) {
				logger.info("RabbitClient '" + this.streamName + "' connected to " + this.config.maskedAddresses()
						+ " over AMQP 1.0");
			}
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
			Connection open = this.connection.connection();
			if (open == null) {
				throw notRunning(ClientLifecycle.State.NEW);
			}
			startConsumers(open, wanted, wantedHandler);
			this.mode = wanted;
			this.handler = wantedHandler;
		}
		finally {
			this.lock.unlock();
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
		this.lock.lock();
		try {
			if (this.state == ClientLifecycle.State.CLOSING || this.state == ClientLifecycle.State.CLOSED) {
				return;
			}
			this.state = ClientLifecycle.State.CLOSING;
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
