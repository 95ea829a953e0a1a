package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.TopologyMismatchException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The repairs of an AMQP 1.0 client's connection, one at a time on a thread of the
 * client's own, each tried again with a back-off (1 s, doubling to 15 s) while it fails:
 * connecting a client that does not fail fast once the broker answers and, after the AMQP
 * 1.0 client recovered the connection, declaring the topology again (that client declares
 * again only exclusive or auto-delete queues), starting the consumers that were asked for
 * while the connection was lost, and moving the publisher and every consumer to a new
 * connection when links could not be recovered. Runs under the lifecycle's lock.
 */
final class Amqp10Repairs {

	/** What a repair asks of the client's lifecycle; under the lifecycle's lock. */
	interface Client {

		ClientLifecycle.State state();

		/** Whether the client connected once (one that does not fail fast waits). */
		boolean isReady();

		/** Connects a client that did not fail fast and is not ready yet. */
		void connectNow();

		/**
		 * Starts the consumers asked for, if any.
		 * @param open the connection
		 * @return whether consumers are asked for
		 */
		boolean resumeConsumers(Connection open);

	}

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	static final Duration FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration MAX_DELAY = Duration.ofSeconds(15);

	private final String streamName;

	private final Client lifecycle;

	private final ReentrantLock lock;

	private final RabbitTopology topology;

	private final Amqp10Connection connection;

	private final Amqp10Topology declarations;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	/** Where the repairs run; created under the lock. */
	private volatile @Nullable ScheduledExecutorService repairs;

	/** Whether a repair waits on {@link #repairs}; under the lock. */
	private boolean scheduled;

	/** The last repair scheduled; under the lock. */
	private @Nullable ScheduledFuture<?> next;

	/** Whether the links are to move to a new connection; under the lock. */
	private boolean linksToMove;

	Amqp10Repairs(String streamName, Client lifecycle, ReentrantLock lock, RabbitTopology topology,
			Amqp10Connection connection, Amqp10Topology declarations, Amqp10Publisher publisher,
			Amqp10Consumption consumption) {
		this.streamName = streamName;
		this.lifecycle = lifecycle;
		this.lock = lock;
		this.topology = topology;
		this.connection = connection;
		this.declarations = declarations;
		this.publisher = publisher;
		this.consumption = consumption;
	}

	/**
	 * On the AMQP 1.0 client's thread, once the connection is open again after a
	 * recovery: the repair runs on the client's own thread, now.
	 */
	void recovered() {
		this.lock.lock();
		try {
			ScheduledFuture<?> waiting = this.next;
			if (this.scheduled && waiting != null && waiting.getDelay(TimeUnit.NANOSECONDS) > 0
					&& waiting.cancel(false)) {
				// waiting out a back-off: the connection is back, so it runs now
				this.scheduled = false;
			}
			schedule(Duration.ZERO);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Schedules a repair, unless one waits already or the client closes; under the lock.
	 * @param delay how long to wait first
	 */
	void schedule(Duration delay) {
		ClientLifecycle.State state = this.lifecycle.state();
		if (this.scheduled || state == ClientLifecycle.State.CLOSING || state == ClientLifecycle.State.CLOSED) {
			return;
		}
		ScheduledExecutorService current = this.repairs;
		if (current == null) {
			CustomizableThreadFactory threads = new CustomizableThreadFactory(
					"zephcast-" + this.streamName + "-reconnect-");
			threads.setDaemon(true);
			current = Executors.newSingleThreadScheduledExecutor(threads);
			this.repairs = current;
		}
		try {
			// the delay the attempt doubles if it fails
			Duration backOff = delay.isZero() ? FIRST_DELAY : delay;
			this.next = current.schedule(() -> repair(backOff), delay.toMillis(), TimeUnit.MILLISECONDS);
			this.scheduled = true;
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/**
	 * Stops the repairs for good, interrupting one under way (a connect to a broker that
	 * does not answer would hold the lock long): called by close before it takes the
	 * lock, and again under it for one scheduled meanwhile.
	 */
	void shutdown() {
		ScheduledExecutorService current = this.repairs;
		if (current != null) {
			current.shutdownNow();
		}
	}

	/**
	 * Connects a client that did not fail fast once the broker answers; after a recovery,
	 * declares the topology again (idempotent), starts the consumers asked for meanwhile
	 * and replaces the links the AMQP 1.0 client could not recover. A stopped client does
	 * not try to connect: {@code connect()} schedules the next attempt. What fails is
	 * tried again, with a back-off.
	 */
	private void repair(Duration delay) {
		this.lock.lock();
		try {
			this.scheduled = false;
			ClientLifecycle.State current = this.lifecycle.state();
			if (!this.lifecycle.isReady()) {
				if (current == ClientLifecycle.State.RUNNING) {
					this.lifecycle.connectNow();
				}
				return;
			}
			if (current == ClientLifecycle.State.CLOSING || current == ClientLifecycle.State.CLOSED) {
				return;
			}
			relink(current);
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
			schedule((doubled.compareTo(MAX_DELAY) > 0) ? MAX_DELAY : doubled);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Declares the topology again and brings back what the recovery did not: on a new
	 * connection if links were lost. Under the lock.
	 */
	private void relink(ClientLifecycle.State current) {
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
		if (current == ClientLifecycle.State.RUNNING && this.lifecycle.resumeConsumers(open)) {
			this.consumption.reattach(open, move);
		}
		this.linksToMove = false;
	}

}
