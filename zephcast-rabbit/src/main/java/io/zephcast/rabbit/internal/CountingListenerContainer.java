package io.zephcast.rabbit.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.zephcast.rabbit.RabbitClientStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Spring AMQP's {@link DirectMessageListenerContainer} that can say how many of its
 * consumers are running, and why fewer run than it should: the container knows (a lost
 * consumer leaves its list until it is restarted) but does not tell.
 * <p>
 * Spring restarts a consumer the broker cancelled (its queue deleted) or whose channel
 * closed, once per monitor interval, but only consumes again if the queue exists: it
 * declares queues again only through an application context's beans, which a standalone
 * client has none of, and which a client's own declarations are not. So before each
 * restart this container runs the client's declarations again ({@link #beforeRestart}):
 * with {@code declare=true} the queue comes back and the consumer with it; with
 * {@code verify} or {@code false} it stays gone, and {@link #consumerFailure()} says so.
 * <p>
 * A channel the broker closed for a consumer timeout is told apart from other closed
 * channels ({@link ConsumerTimeouts}), when Spring's monitor finds it closed.
 */
final class CountingListenerContainer extends DirectMessageListenerContainer {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private static final String CANCELLED = " canceled";

	private static final String CHANNEL_CLOSED = " channel closed";

	private volatile @Nullable Runnable beforeRestart;

	private volatile int consumersPerQueue = 1;

	/** Whether a consumer was lost and not all are back yet. */
	private volatile boolean lost;

	/**
	 * Whether the consumer's queue may be gone: the broker cancelled a consumer (as it
	 * does when the queue is deleted) or found the queue missing. Then, and only then,
	 * the declarations run before a restart: a lost connection or channel is the
	 * connection's business (the admin declares again on every new connection), and the
	 * broker may not even answer.
	 */
	private volatile boolean queueGone;

	/** Why a consumer stopped: cancelled by the broker, its channel closed... */
	private volatile @Nullable String stopped;

	/** Why it cannot come back: its queue is missing, cannot be declared... */
	private volatile @Nullable String obstacle;

	/** Why the declarations before the last restart failed. */
	private volatile @Nullable String declareFailure;

	private final ConsumerTimeouts consumerTimeouts = new ConsumerTimeouts();

	CountingListenerContainer(ConnectionFactory connectionFactory) {
		super(connectionFactory);
	}

	/**
	 * What to run before consumers lost are restarted: the client's declarations (or
	 * verifications) of its queue.
	 * @param declarations the declarations; throws if the broker refuses them
	 */
	void beforeRestart(Runnable declarations) {
		this.beforeRestart = declarations;
	}

	/**
	 * What to tell of each consumer timeout: the client's metrics.
	 * @param listener runs on the monitor thread once per timeout
	 */
	void onConsumerTimeout(Runnable listener) {
		this.consumerTimeouts.onTimeout(listener);
	}

	@Override
	public void setConsumersPerQueue(int consumersPerQueue) {
		super.setConsumersPerQueue(consumersPerQueue);
		this.consumersPerQueue = consumersPerQueue;
	}

	/**
	 * The consumers subscribed to the broker now.
	 * @return the count
	 */
	int runningConsumers() {
		this.consumersLock.lock();
		try {
			return this.consumers.size();
		}
		finally {
			this.consumersLock.unlock();
		}
	}

	/**
	 * Why a consumer was lost and why it has not come back, while it has not.
	 * @return e.g. {@code consumer cancelled by the broker: queue 'orders' not found}, or
	 * {@code null} if no consumer was lost since every one last ran
	 */
	@Nullable String consumerFailure() {
		String stoppedBecause = this.stopped;
		if (!this.lost || stoppedBecause == null) {
			return null;
		}
		String obstacleNow = this.obstacle;
		return (obstacleNow != null) ? stoppedBecause + ": " + obstacleNow : stoppedBecause;
	}

	/**
	 * The last time the broker closed a consumer's channel for a consumer timeout.
	 * @return it, or {@code null} if it never did
	 */
	RabbitClientStatus.@Nullable ConsumerTimeout lastConsumerTimeout() {
		return this.consumerTimeouts.last();
	}

	@Override
	protected void doStart() {
		forget();
		super.doStart();
	}

	/**
	 * Spring reports here a consumer the broker cancelled ("Consumer ... canceled"), one
	 * whose channel it found closed ("... channel closed"), and one it could not create
	 * (with the exception).
	 */
	@Override
	protected void publishConsumerFailedEvent(String reason, boolean fatal, @Nullable Throwable cause) {
		this.lost = true;
		if (cause != null) {
			if (this.stopped == null) {
				this.stopped = "consumer could not subscribe";
			}
			this.obstacle = BrokerErrors.rootMessage(cause);
		}
		else {
			if (reason.endsWith(CANCELLED)) {
				this.queueGone = true;
				this.stopped = "consumer cancelled by the broker";
			}
			else if (reason.endsWith(CHANNEL_CLOSED)) {
				RabbitClientStatus.ConsumerTimeout timeout = checkConsumerTimeout(reason);
				this.stopped = (timeout != null)
						? "consumer's channel closed by the broker: a message stayed unacked past its consumer timeout"
						: "consumer's channel closed";
			}
			else {
				this.stopped = "consumer stopped";
			}
			this.obstacle = null;
		}
		super.publishConsumerFailedEvent(reason, fatal, cause);
	}

	/**
	 * Whether the consumer named in Spring's report ("Consumer SimpleConsumer [...,
	 * consumerTag=...] channel closed") lost its channel for a consumer timeout. Runs on
	 * the container's monitor thread, once per closed channel; reads the raw channel's
	 * close reason (through the proxy a closed channel would be opened again).
	 */
	private RabbitClientStatus.@Nullable ConsumerTimeout checkConsumerTimeout(String reason) {
		ShutdownSignalException signal = null;
		this.consumersLock.lock();
		try {
			for (SimpleConsumer consumer : this.consumers) {
				String tag = consumer.getConsumerTag();
				if (tag != null && reason.contains(tag) && consumer.getChannel() instanceof ChannelProxy proxy) {
					Channel target = proxy.getTargetChannel();
					signal = (target != null) ? target.getCloseReason() : null;
					break;
				}
			}
		}
		finally {
			this.consumersLock.unlock();
		}
		return this.consumerTimeouts.check(String.join(", ", getQueueNames()), signal);
	}

	/** A consumer could not subscribe again: its queue does not exist. */
	@Override
	protected void publishMissingQueueEvent(String queue) {
		this.lost = true;
		this.queueGone = true;
		if (this.stopped == null) {
			this.stopped = "consumer could not subscribe";
		}
		String declaring = this.declareFailure;
		// the declarations' own failure says more (e.g. what declare=verify expects)
		this.obstacle = (declaring != null) ? declaring : "queue '" + queue + "' not found";
		super.publishMissingQueueEvent(queue);
	}

	/**
	 * Runs before the container restarts lost consumers (and once as it starts): Spring's
	 * own redeclaration, then, after a loss, the client's declarations.
	 */
	@Override
	protected void redeclareElementsIfNecessary() {
		super.redeclareElementsIfNecessary();
		Runnable declarations = this.beforeRestart;
		if (!this.queueGone || declarations == null) {
			return;
		}
		try {
			declarations.run();
			this.declareFailure = null;
		}
		catch (RuntimeException ex) {
			String failure = ex.getMessage();
			if (failure != null && !failure.equals(this.declareFailure) && logger.isWarnEnabled()) {
				// once per distinct failure: the container tries again every second
				logger.warn("Consumer of queue(s) " + String.join(", ", getQueueNames()) + " cannot subscribe again: "
						+ failure);
			}
			this.declareFailure = failure;
		}
	}

	/** Runs after each monitor pass: once every consumer runs again, the loss is over. */
	@Override
	protected void processMonitorTask() {
		if (this.lost && runningConsumers() >= this.consumersPerQueue * getQueueNames().length) {
			if (logger.isInfoEnabled()) {
				logger.info("Consumers of queue(s) " + String.join(", ", getQueueNames()) + " running again after "
						+ consumerFailure());
			}
			forget();
		}
	}

	private void forget() {
		this.lost = false;
		this.queueGone = false;
		this.stopped = null;
		this.obstacle = null;
		this.declareFailure = null;
	}

	/**
	 * Whether the container asks for global QoS, which RabbitMQ 4 deprecates
	 * ({@link BrokerCompatibility}).
	 * @return whether its prefetch applies to the channel rather than each consumer
	 */
	boolean usesGlobalQos() {
		return isGlobalQos();
	}

}
