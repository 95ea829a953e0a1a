package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Message;
import io.zephcast.rabbit.AckFailedException;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;

/**
 * The consuming half of an AMQP 1.0 client: {@code concurrency} consumers (links) on the
 * queue, each holding at most {@code prefetch} messages unsettled (the counterpart of
 * 0-9-1's {@code basicQos}: the link's initial credit, which the client keeps to, see
 * {@link Amqp10Link}), handing messages to pullers ({@link DeliveryQueue}, as 0-9-1) or
 * to a handler, and settling them (accepted, released, rejected). The client's connection
 * recovers the links after a connection loss; what the old links delivered is requeued by
 * the broker, cannot be settled any more ({@link AckFailedException}) and comes again
 * redelivered.
 */
final class Amqp10Consumption {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/**
	 * The most of a stop's time kept for closing the links after the wait for handed-out
	 * messages.
	 */
	private static final long STOP_RESERVE_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** How messages reach the application. */
	enum Mode {

		/** {@code receive} and the iterator. */
		PULL,

		/** A handler. */
		PUSH

	}

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final PayloadCodec codec;

	private final ClientInstrumentation instrumentation;

	private final Executor callbackExecutor;

	private final ParkingFailures parking;

	private final Amqp10FailedMessages failedMessages;

	private final InFlight unsettled = new InFlight();

	/** The delivery tags: one sequence per client, as AMQP 1.0 has no channel's. */
	private final AtomicLong deliveryTags = new AtomicLong();

	private final List<Consumer> consumers = new ArrayList<>();

	/** Read without the lock, by {@link #consumersRunning()}. */
	private final List<Amqp10Link> links = new CopyOnWriteArrayList<>();

	private volatile DeliveryQueue deliveries;

	private volatile @Nullable Mode mode;

	private volatile @Nullable RabbitMessageHandler handler;

	private volatile boolean consuming;

	/** False while stopping: deliveries are released at once. */
	private volatile boolean handingOut;

	Amqp10Consumption(String streamName, RabbitConfig config, RabbitTopology topology, PayloadCodec codec,
			ClientInstrumentation instrumentation, Executor callbackExecutor) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.codec = codec;
		this.instrumentation = instrumentation;
		this.callbackExecutor = callbackExecutor;
		this.deliveries = new DeliveryQueue(callbackExecutor, null);
		this.parking = new ParkingFailures(streamName, topology.queueName(), config.retry(), instrumentation);
		this.failedMessages = new Amqp10FailedMessages(topology, config.retry(), this.parking, callbackExecutor);
	}

	/**
	 * Starts the consumers on the connection in the mode, once; again after
	 * {@link #stop}.
	 * @throws IllegalStateException if already consuming in the other mode, or by another
	 * handler
	 */
	synchronized void start(Connection connection, Mode mode, @Nullable RabbitMessageHandler handler) {
		checkSame(this.streamName, this.mode, this.handler, mode, handler);
		if (this.consuming) {
			return;
		}
		this.mode = mode;
		this.handler = handler;
		if (this.deliveries.isClosed()) {
			this.deliveries = new DeliveryQueue(this.callbackExecutor, null);
		}
		this.handingOut = true;
		this.parking.resume();
		try {
			this.failedMessages.open(connection);
			for (int i = 0; i < this.config.concurrency(); i++) {
				Amqp10Link link = new Amqp10Link(this.streamName + "-amqp10-" + i);
				this.links.add(link);
				this.consumers.add(consumer(connection, link));
			}
			this.consuming = true;
		}
		catch (RuntimeException ex) {
			// as if it had never started: the next call tries again
			closeConsumers();
			this.failedMessages.close();
			this.mode = null;
			this.handler = null;
			throw ex;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("RabbitClient '" + this.streamName + "' consuming from queue '" + this.topology.queueName()
					+ "' over AMQP 1.0 with " + this.config.concurrency() + " link(s)");
		}
	}

	/**
	 * Checks that a start asks for the consumption under way, if any.
	 * @throws IllegalStateException if consuming in the other mode, or by another handler
	 * @throws IllegalArgumentException if pushing without a handler
	 */
	static void checkSame(String streamName, @Nullable Mode current, @Nullable RabbitMessageHandler currentHandler,
			Mode mode, @Nullable RabbitMessageHandler handler) {
		if (current != null && (current != mode || (mode == Mode.PUSH && handler != currentHandler))) {
			throw new IllegalStateException("RabbitClient '" + streamName + "' already consumes by "
					+ ((current == Mode.PUSH) ? "a handler" : "receive/iteration")
					+ "; a client either pulls or has one handler");
		}
		if (mode == Mode.PUSH && handler == null) {
			throw new IllegalArgumentException("A handler is needed to push messages");
		}
	}

	private Consumer consumer(Connection connection, Amqp10Link link) {
		Consumer consumer = connection.consumerBuilder()
			.queue(this.topology.queueName())
			.initialCredits(this.config.prefetchCount())
			.listeners(link)
			.messageHandler((context, message) -> delivered(link, context, message))
			.build();
		return consumer;
	}

	/**
	 * After a connection recovery, once the queue has been declared again: replaces the
	 * links the client closed for good (it could not attach them again: their queue was
	 * gone), so that consumption goes on. What the lost links delivered cannot be settled
	 * any more and comes again.
	 * @param connection the recovered connection
	 * @param renewed whether it is a new connection: every link, and the publisher of
	 * retries, move to it
	 */
	synchronized void reattach(Connection connection, boolean renewed) {
		if (!this.consuming) {
			return;
		}
		if (renewed) {
			this.failedMessages.close();
			this.failedMessages.open(connection);
		}
		for (int i = 0; i < this.links.size(); i++) {
			Amqp10Link link = this.links.get(i);
			if (link.isOpen() && !renewed) {
				continue;
			}
			try {
				this.consumers.get(i).close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing a lost AMQP 1.0 consumer failed", ex);
			}
			// what it delivered can no longer be settled
			link.closed();
			Amqp10Link fresh = new Amqp10Link(link.tag());
			this.consumers.set(i, consumer(connection, fresh));
			this.links.set(i, fresh);
		}
	}

	/** Whether a link of the running consumers was closed for good. */
	synchronized boolean linksLost() {
		return this.consuming && this.links.stream().anyMatch((link) -> !link.isOpen());
	}

	/** On the consumer's thread, for every delivery. */
	private void delivered(Amqp10Link link, Consumer.Context context, Message message) {
		long generation = link.generation();
		if (!this.handingOut) {
			// stopping: straight back to the queue
			context.requeue();
			return;
		}
		this.unsettled.increment();
		DeliveryListener listener = this.instrumentation.isOff() ? DeliveryListener.NONE
				: this.instrumentation.arrived(propertiesOf(message));
		Amqp10Settlement settlement = new Amqp10Settlement(this, context, link, generation,
				this.deliveryTags.incrementAndGet(), this.unsettled::decrement, listener);
		Amqp10Message delivered = new Amqp10Message(message, this.codec, settlement, this.topology.queueName(),
				link.tag());
		RabbitMessageHandler current = this.handler;
		if (current == null) {
			if (!this.deliveries.offer(delivered)) {
				settlement.abandon();
			}
		}
		else if (listener == DeliveryListener.NONE) {
			handle(current, delivered);
		}
		else {
			this.instrumentation.handle(listener, () -> handle(current, delivered));
		}
	}

	/** The application properties as 0-9-1 headers, for a trace context they carry. */
	private static MessageProperties propertiesOf(Message message) {
		MessageProperties properties = new MessageProperties();
		message.forEachProperty(properties::setHeader);
		return properties;
	}

	private void handle(RabbitMessageHandler handler, Amqp10Message message) {
		try {
			handler.handle(message);
			if (!message.isSettled()) {
				message.settlement().ack(message.messageId());
			}
		}
		catch (AckFailedException ex) {
			logger.warn(ex.getMessage());
		}
		catch (VirtualMachineError ex) {
			throw ex;
		}
		catch (Throwable ex) {
			if (logger.isWarnEnabled()) {
				logger.warn("Handler of RabbitClient '" + this.streamName + "' failed on message " + message.messageId()
						+ " (attempt " + message.deliveryAttempt() + "): " + ex);
			}
			if (!message.isSettled()) {
				// waits in the broker for its next attempt, or is dead-lettered: never
				// straight back to the queue, where it would loop
				this.failedMessages.retryLater(message, ex);
			}
			if (logger.isDebugEnabled()) {
				logger.debug("Handler failure of message " + message.messageId(), ex);
			}
		}
	}

	CompletableFuture<RabbitMessage> next() {
		return this.deliveries.next();
	}

	Optional<RabbitMessage> poll(Duration timeout) throws InterruptedException {
		return this.deliveries.poll(timeout);
	}

	Iterator<RabbitMessage> iterator() {
		return new MessageIterator(this.deliveries);
	}

	/** Whether this consumption delivered the message. */
	boolean owns(RabbitMessage message) {
		return message instanceof Amqp10Message delivered && delivered.settlement().belongsTo(this);
	}

	void ack(RabbitMessage message) {
		settlementOf(message).ack(message.messageId());
	}

	void nack(RabbitMessage message, boolean requeue) {
		settlementOf(message).nack(message.messageId(), requeue);
	}

	CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		settlementOf(message);
		return this.failedMessages.retryLater(message, cause);
	}

	CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		settlementOf(message);
		return this.failedMessages.deadLetter(message, cause, MessageHeaders.REASON_REJECTED);
	}

	private Amqp10Settlement settlementOf(RabbitMessage message) {
		if (!owns(message)) {
			throw new IllegalArgumentException("Message " + message.messageId() + " was not delivered by RabbitClient '"
					+ this.streamName + "': only the client that delivered a message can settle it");
		}
		return ((Amqp10Message) message).settlement();
	}

	/**
	 * Closes the consumers by the deadline: buffered messages not handed out are released
	 * to the queue; waiting receives fail with {@link IllegalStateException}; messages
	 * handed out are waited for, and those still unsettled at the deadline are requeued
	 * by the broker when their link closes.
	 */
	synchronized void stop(long deadlineNanos) {
		this.handingOut = false;
		for (RabbitMessage buffered : this.deliveries.close()) {
			HeldDelivery.of(buffered).abandon();
		}
		this.parking.release();
		long left = Math.max(0, deadlineNanos - System.nanoTime());
		long settleBy = deadlineNanos - Math.min(STOP_RESERVE_NANOS, left / 4);
		if (!this.unsettled.awaitZero(settleBy) && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.streamName + "' stopped consuming with " + this.unsettled.get()
					+ " message(s) handed out but not acked in time; the broker requeues them");
		}
		closeConsumers();
		this.failedMessages.close();
		this.consuming = false;
	}

	private void closeConsumers() {
		for (Consumer consumer : this.consumers) {
			try {
				consumer.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Closing an AMQP 1.0 consumer failed", ex);
			}
		}
		this.links.forEach(Amqp10Link::closed);
		this.consumers.clear();
		this.links.clear();
	}

	boolean isConsuming() {
		return this.consuming;
	}

	int consumersRunning() {
		return (int) this.links.stream().filter(Amqp10Link::isOpen).count();
	}

	int deliveriesBuffered() {
		return this.deliveries.size();
	}

	/**
	 * The messages held for a back-off because their copy was not stored.
	 * @return the count
	 */
	/** Copies to a wait or dead-letter queue the broker did not store, for the status. */
	ParkingFailures parking() {
		return this.parking;
	}

	int parkingHeld() {
		return this.parking.heldNow();
	}

}
