package io.zephcast.rabbit.internal;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import io.zephcast.rabbit.AckCoalescing;
import io.zephcast.rabbit.AckFailedException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;

/**
 * The receiving half of a {@link RabbitClient}: the listener container, and what it hands
 * the application, either into the pull buffer ({@code receive()}, iteration) or to a
 * handler. Methods that change the mode run under the client's lifecycle lock.
 */
final class Consumption {

	/**
	 * The most of a stop's time kept for what follows the wait for handed-out messages.
	 */
	private static final long STOP_RESERVE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/** How the application takes messages. */
	enum Mode {

		NONE, PULL, PUSH

	}

	/** Who settles this consumption's messages: the owner of their deliveries. */
	private final Object client;

	private final RabbitTopology topology;

	private final AbstractMessageListenerContainer container;

	private final boolean ownsContainer;

	private final PayloadCodec codec;

	private final DeliveryQueue deliveries;

	/** The connection's dispatch, if zephcast's: told when this client pushes. */
	private final @Nullable ConsumerDispatch dispatch;

	private final InFlight unsettled = new InFlight();

	/** What a delivery runs once settled; one instance, not one per delivery. */
	private final Runnable onSettled = this.unsettled::decrement;

	private final Connector connector;

	private final FailedMessages failedMessages;

	private final ClientInstrumentation instrumentation;

	/** Null unless acks are coalesced ({@link AckCoalescing}). */
	private final @Nullable AckBatchesByChannel acks;

	private volatile Mode mode = Mode.NONE;

	private volatile @Nullable RabbitMessageHandler handler;

	/**
	 * False while stopping: deliveries are held unacked, and the broker requeues them.
	 */
	private volatile boolean handingOut = true;

	Consumption(Object client, RabbitTopology topology, AbstractMessageListenerContainer container,
			boolean ownsContainer, Connector connector, PayloadCodec codec, FailedMessages failedMessages,
			ClientInstrumentation instrumentation, Executor callbacks, RabbitConfig config) {
		this.client = client;
		this.acks = AckBatchesByChannel.coalesces(config.ackCoalescing(), config.prefetchCount())
				? new AckBatchesByChannel(topology.streamName(), config.ackCoalescing(), config.prefetchCount()) : null;
		this.failedMessages = failedMessages;
		this.instrumentation = instrumentation;
		this.topology = topology;
		this.container = container;
		this.ownsContainer = ownsContainer;
		this.codec = codec;
		this.connector = connector;
		this.dispatch = ClientConnectionFactory.dispatchOf(container.getConnectionFactory());
		this.deliveries = new DeliveryQueue(callbacks, this.dispatch);
		if (container.getAcknowledgeMode() != AcknowledgeMode.MANUAL) {
			throw new IllegalArgumentException("The listener container must use AcknowledgeMode.MANUAL: the client "
					+ "acks only what the application acks");
		}
		if (container.getQueueNames().length == 0) {
			container.setQueueNames(topology.queueName());
		}
		container.setMessageListener(new ClientListener());
		container.setAmqpAdmin(connector.admin());
		if (container instanceof CountingListenerContainer counting) {
			counting.beforeRestart(this::declareForRestart);
			counting.onConsumerTimeout(instrumentation::consumerTimedOut);
		}
		if (ownsContainer) {
			container.setBeanName("zephcast-" + topology.streamName());
			container.afterPropertiesSet();
		}
	}

	Mode mode() {
		return this.mode;
	}

	DeliveryQueue deliveries() {
		return this.deliveries;
	}

	/**
	 * Starts consuming in the given mode, or does nothing if it already does. Atomic: if
	 * starting fails, the client is left as if it had never tried, so the next call tries
	 * again and reports the same error. The application's entry point, apart from
	 * {@link #startConsumers()} (the broker side, also run on connect) and
	 * {@link #restartConsumers()} (after a stop).
	 * @param mode pull or push
	 * @param handler the handler, for push
	 */
	void consumeIn(Mode mode, @Nullable RabbitMessageHandler handler) {
		if (this.mode == mode && mode == Mode.PULL) {
			return;
		}
		if (this.mode != Mode.NONE) {
			throw new IllegalStateException("RabbitClient '" + this.topology.streamName() + "' already consumes by "
					+ ((this.mode == Mode.PUSH) ? "a handler" : "receive/iteration")
					+ "; a client either pulls or has one handler");
		}
		this.handler = handler;
		this.mode = mode;
		tellDispatch(mode, true);
		// before the broker first answers, consumption starts once it does
		if (this.connector.isReady()) {
			try {
				startConsumers();
			}
			catch (RuntimeException ex) {
				tellDispatch(mode, false);
				this.mode = Mode.NONE;
				this.handler = null;
				this.container.stop();
				throw ex;
			}
		}
	}

	/**
	 * Tells the connection's dispatch, if zephcast's, that this client's handler started
	 * or stopped consuming: while one does, no callback runs on a pulling thread.
	 * @param mode the mode the client consumes in; only a handler (push) counts
	 * @param started whether it started or stopped
	 */
	private void tellDispatch(Mode mode, boolean started) {
		if (mode != Mode.PUSH || this.dispatch == null) {
			return;
		}
		if (started) {
			this.dispatch.handlerStarted();
		}
		else {
			this.dispatch.handlerStopped();
		}
	}

	/**
	 * Declares the queue if it is not declared on connect, and the queues retries and
	 * dead letters need, and starts the consumers.
	 */
	void startConsumers() {
		if (!this.topology.declaresQueueOnConnect()) {
			this.connector.apply(this.topology.consumerDeclarables());
		}
		this.connector.applyRetryQueues(this.topology.retryQueues().declarables());
		this.handingOut = true;
		this.container.start();
		if (logger.isDebugEnabled()) {
			logger.debug("RabbitClient '" + this.topology.streamName() + "' consuming from queue '"
					+ this.topology.queueName() + "'");
		}
	}

	/**
	 * Before the container restarts consumers the broker cancelled (their queue deleted)
	 * or that found their queue missing: declares the queue again, or verifies it, as on
	 * connect, so that with {@code declare=true} a deleted queue comes back.
	 */
	private void declareForRestart() {
		this.connector.apply(this.topology.consumerDeclarables());
		this.connector.applyRetryQueues(this.topology.retryQueues().declarables());
	}

	/** After a stop: starts the consumers again if the application consumes. */
	void restartConsumers() {
		if (this.mode != Mode.NONE && this.connector.isReady()) {
			startConsumers();
		}
	}

	/**
	 * Stops the consumers gracefully: stops handing out messages, waits for the ones
	 * handed out (and handlers running) to be settled, then stops the consumers, whose
	 * channels close, so the broker requeues what was fetched but never handed out (after
	 * the consumers stopped, so it is not delivered back to them).
	 * @param deadline the {@link System#nanoTime()} to be done by
	 * @param endPulls whether waiting pulls end (close) or keep waiting for a restart
	 * (stop)
	 */
	void stop(long deadline, boolean endPulls) {
		this.handingOut = false;
		for (RabbitMessage buffered : endPulls ? this.deliveries.close() : this.deliveries.drain()) {
			ReceivedMessage.settlementOf(buffered).abandon();
		}
		// part of the time is kept for flushing the held acks and stopping the consumers:
		// a close that waited out its whole deadline for messages never acked would be
		// aborted (DeadlineClose) before it sent the acks it holds
		long left = Math.max(0, deadline - System.nanoTime());
		long settleBy = deadline - Math.min(STOP_RESERVE_NANOS, left / 4);
		if (!this.unsettled.awaitZero(settleBy) && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.topology.streamName() + "' stopped consuming with "
					+ this.unsettled.get() + " message(s) handed out but not acked in time; the broker requeues them");
		}
		if (this.acks != null) {
			// before the channels close, or the broker would deliver acked messages again
			this.acks.flushAll();
		}
		// the container waits for its consumers up to its own shutdown timeout: only what
		// is left of ours
		this.container.setShutdownTimeout(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
		this.container.stop();
	}

	/**
	 * How often the client's timer is to call {@link #flushOverdueAcks()}.
	 * @return the interval in milliseconds, or 0 if acks are not coalesced
	 */
	long ackSweepMillis() {
		return (this.acks != null) ? this.acks.sweepMillis() : 0;
	}

	/**
	 * Sends the coalesced acks held longer than their maximum delay (the client's timer).
	 */
	void flushOverdueAcks() {
		if (this.acks != null) {
			try {
				this.acks.flushOverdue();
			}
			catch (RuntimeException ex) {
				// a periodic task that throws is never run again: held acks would wait
				// until the next stop
				logger.warn("RabbitClient '" + this.topology.streamName() + "' could not send its held acks", ex);
			}
		}
	}

	void destroy() {
		tellDispatch(this.mode, false);
		if (this.ownsContainer) {
			this.container.destroy();
		}
	}

	/** Receives every delivery from the container's consumer threads. */
	private final class ClientListener implements ChannelAwareMessageListener {

		@Override
		public void onMessage(Message message, @Nullable Channel channel) {
			Channel target = (channel instanceof ChannelProxy proxy) ? proxy.getTargetChannel() : channel;
			Objects.requireNonNull(target, "manual acknowledgement needs the delivering channel");
			Consumption.this.unsettled.increment();
			DeliveryListener listener = Consumption.this.instrumentation.arrived(message.getMessageProperties());
			AckBatchesByChannel coalescer = Consumption.this.acks;
			Settlement delivery = new Settlement(Consumption.this.client, target,
					message.getMessageProperties().getDeliveryTag(), Consumption.this.onSettled, listener,
					(coalescer != null) ? coalescer.forChannel(target) : null);
			RabbitMessage delivered = new ReceivedMessage(message.getBody(), message.getMessageProperties(),
					Consumption.this.codec, delivery);
			RabbitMessageHandler current = Consumption.this.handler;
			if (!Consumption.this.handingOut) {
				// stopping: leave it unacked, the broker requeues it when the consumer's
				// channel closes
				delivery.abandon();
			}
			else if (current == null) {
				if (!Consumption.this.deliveries.offer(delivered)) {
					delivery.abandon();
				}
			}
			else if (listener == DeliveryListener.NONE) {
				handle(current, delivered);
			}
			else {
				Consumption.this.instrumentation.handle(listener, () -> handle(current, delivered));
			}
		}

		private void handle(RabbitMessageHandler handler, RabbitMessage message) {
			try {
				handler.handle(message);
				if (!message.isSettled()) {
					ReceivedMessage.settlementOf(message).ack(message.messageId());
				}
			}
			catch (AckFailedException ex) {
				logger.warn(ex.getMessage());
			}
			catch (VirtualMachineError ex) {
				// out of memory or stack: the container's error handler decides (it exits
				// the JVM by default)
				throw ex;
			}
			catch (Throwable ex) {
				// one line at WARN; the stack trace at DEBUG, so a flaky dependency does
				// not flood the log
				if (logger.isWarnEnabled()) {
					logger.warn("Handler of RabbitClient '" + Consumption.this.topology.streamName()
							+ "' failed on message " + message.messageId() + " (attempt " + message.deliveryAttempt()
							+ "): " + ex);
				}
				if (!message.isSettled()) {
					// waits in the broker for its next attempt, or is dead-lettered:
					// never
					// straight back to the queue, where it would loop
					Consumption.this.failedMessages.retryLater(message, ex);
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Handler failure of message " + message.messageId(), ex);
				}
			}
		}

	}

}
