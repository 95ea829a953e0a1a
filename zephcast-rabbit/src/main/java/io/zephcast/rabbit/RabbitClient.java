package io.zephcast.rabbit;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.Channel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import tools.jackson.databind.json.JsonMapper;

/**
 * A small asynchronous RabbitMQ client for one stream: it publishes with confirms and
 * consumes with manual acks.
 *
 * <pre>{@code
 * try (RabbitClient client = new RabbitClient("orders", config).connect()) {
 *     client.send("Hello").join();             // done when the broker confirms
 *     for (RabbitMessage message : client) {   // blocks for the next message
 *         System.out.println("Received: " + message);
 *         client.ack(message);
 *     }
 * }
 * }</pre>
 *
 * The stream name is the client's identity: the name of its connections, and the queue
 * name and routing key where the configuration leaves them empty. Standalone, the client
 * builds its own connection factory, declarations and listener container; in a Spring
 * application, {@link #builder(String, RabbitConfig)} takes them as beans, and the client
 * connects when the context starts ({@link SmartLifecycle}). It is thread-safe.
 */
public final class RabbitClient implements AutoCloseable, Iterable<RabbitMessage>, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RabbitClient.class);

	private static final Duration RECONNECT_FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration RECONNECT_MAX_DELAY = Duration.ofSeconds(15);

	private enum State {

		NEW, CONNECTED, CLOSING, CLOSED

	}

	private enum Consumption {

		NONE, ITERATION, HANDLER

	}

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Declarables declarables;

	private final ConnectionFactory connectionFactory;

	private final boolean ownsConnectionFactory;

	private final AbstractMessageListenerContainer container;

	private final boolean ownsContainer;

	private final Executor callbackExecutor;

	private final boolean ownsCallbackExecutor;

	private final RabbitAdmin admin;

	private final PublishingChannel publishing;

	private final BlockedPublishing blockedPublishing;

	private final PayloadCodec codec;

	private final DeliveryQueue deliveries;

	private final ScheduledExecutorService timer;

	/**
	 * Message ids are short (every byte is parsed and stored by the broker) and unique:
	 * 64 random bits + a count.
	 */
	private final String idPrefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";

	private final AtomicLong idSequence = new AtomicLong();

	private final AtomicInteger unconfirmed = new AtomicInteger();

	private final AtomicInteger unsettled = new AtomicInteger();

	private final Object drainMonitor = new Object();

	private final ReentrantLock lifecycleLock = new ReentrantLock();

	private volatile State state = State.NEW;

	private volatile Consumption consumption = Consumption.NONE;

	private volatile @Nullable RabbitMessageHandler handler;

	/** False while a client that does not fail fast waits for the broker to answer. */
	private volatile boolean brokerReady;

	/**
	 * A client that creates its own connection factory, declarations and listener
	 * container from the configuration. Call {@link #connect()} before use and
	 * {@link #close()} after (try-with-resources).
	 * @param streamName the stream name: connection name, fallback queue name and routing
	 * key
	 * @param config the configuration
	 */
	public RabbitClient(String streamName, RabbitConfig config) {
		this(new Builder(streamName, config));
	}

	private RabbitClient(Builder builder) {
		this.streamName = builder.streamName;
		this.config = builder.config;
		this.topology = RabbitTopology.of(this.streamName, this.config);
		this.declarables = (builder.declarables != null) ? builder.declarables : this.topology.declarables();
		this.ownsConnectionFactory = builder.connectionFactory == null;
		this.connectionFactory = (builder.connectionFactory != null) ? builder.connectionFactory
				: RabbitConnectionFactories.create(this.streamName, this.config);
		this.ownsCallbackExecutor = builder.callbackExecutor == null;
		this.callbackExecutor = (builder.callbackExecutor != null) ? builder.callbackExecutor
				: callbackPool(this.streamName);
		this.codec = new PayloadCodec((builder.jsonMapper != null) ? builder.jsonMapper : JsonMapper.builder().build());
		this.admin = new RabbitAdmin(this.connectionFactory);
		this.admin.setRedeclareManualDeclarations(true);
		this.admin.afterPropertiesSet();
		ConnectionFactory publisherFactory = this.connectionFactory.getPublisherConnectionFactory();
		this.publishing = new PublishingChannel((publisherFactory != null) ? publisherFactory : this.connectionFactory,
				this.config.confirmTimeout());
		this.ownsContainer = builder.container == null;
		this.container = (builder.container != null) ? builder.container
				: RabbitListenerContainers.create(this.connectionFactory, this.topology, this.config);
		if (this.container.getAcknowledgeMode() != AcknowledgeMode.MANUAL) {
			throw new IllegalArgumentException("The listener container must use AcknowledgeMode.MANUAL: the client "
					+ "acks only what the application acks");
		}
		if (this.container.getQueueNames().length == 0) {
			this.container.setQueueNames(this.topology.queueName());
		}
		this.container.setMessageListener(new ClientListener());
		this.container.setAmqpAdmin(this.admin);
		if (this.ownsContainer) {
			this.container.setBeanName("zephcast-" + this.streamName);
			this.container.afterPropertiesSet();
		}
		this.deliveries = new DeliveryQueue(this.callbackExecutor);
		CustomizableThreadFactory timerThreads = new CustomizableThreadFactory(
				"zephcast-" + this.streamName + "-timer-");
		timerThreads.setDaemon(true);
		this.timer = Executors.newSingleThreadScheduledExecutor(timerThreads);
		long sweepMillis = Math.max(10, Math.min(1000, this.config.confirmTimeout().toMillis() / 4));
		this.timer.scheduleWithFixedDelay(this.publishing::failOverdue, sweepMillis, sweepMillis,
				TimeUnit.MILLISECONDS);
		this.blockedPublishing = new BlockedPublishing(this.streamName);
		((publisherFactory != null) ? publisherFactory : this.connectionFactory)
			.addConnectionListener(this.blockedPublishing);
	}

	/**
	 * A builder for a client that uses the given infrastructure instead of creating its
	 * own, as the Spring Boot auto-configuration does.
	 * @param streamName the stream name
	 * @param config the configuration
	 * @return the builder
	 */
	public static Builder builder(String streamName, RabbitConfig config) {
		return new Builder(streamName, config);
	}

	private static ExecutorService callbackPool(String streamName) {
		int parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
		return new ForkJoinPool(parallelism, (pool) -> {
			ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
			thread.setName("zephcast-" + streamName + "-callback-" + thread.getPoolIndex());
			return thread;
		}, null, true);
	}

	/**
	 * Opens the connection and declares the exchange, and the queue with its binding when
	 * the configuration names a queue. Calling it again does nothing.
	 * @return this client
	 * @throws RabbitConnectionException if the broker cannot be reached or refuses the
	 * login
	 * @throws TopologyMismatchException if the broker refuses a declaration
	 * @throws IllegalStateException if the client is closed
	 */
	public RabbitClient connect() {
		this.lifecycleLock.lock();
		try {
			if (this.state == State.CONNECTED) {
				return this;
			}
			if (this.state != State.NEW) {
				throw closedException();
			}
			try {
				openConnection();
				declare(this.declarables);
				this.brokerReady = true;
				if (logger.isInfoEnabled()) {
					logger.info("RabbitClient '" + this.streamName + "' connected to " + this.config.maskedUrl());
				}
			}
			catch (RabbitConnectionException ex) {
				if (this.config.failFast()) {
					throw ex;
				}
				logger.warn(ex.getMessage() + "; failFast is off, so the client starts anyway and connects when the "
						+ "broker answers");
				scheduleReconnect(RECONNECT_FIRST_DELAY);
			}
			this.state = State.CONNECTED;
			return this;
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private void scheduleReconnect(Duration delay) {
		try {
			this.timer.schedule(() -> reconnect(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile
		}
	}

	/**
	 * For a client that did not fail fast: connects, declares and starts the consumers it
	 * was asked for, once the broker answers. After that, Spring AMQP's own recovery
	 * takes over.
	 */
	private void reconnect(Duration lastDelay) {
		this.lifecycleLock.lock();
		try {
			if (this.state != State.CONNECTED || this.brokerReady) {
				return;
			}
			openConnection();
			declare(this.declarables);
			if (this.consumption != Consumption.NONE) {
				beginConsuming();
			}
			this.brokerReady = true;
			if (logger.isInfoEnabled()) {
				logger.info("RabbitClient '" + this.streamName + "' connected to " + this.config.maskedUrl());
			}
		}
		catch (RabbitClientException ex) {
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
			this.lifecycleLock.unlock();
		}
	}

	private void openConnection() {
		try {
			this.connectionFactory.createConnection().close();
		}
		catch (AmqpException ex) {
			throw new RabbitConnectionException("Cannot connect to RabbitMQ at " + this.config.maskedUrl()
					+ " for stream '" + this.streamName + "': " + BrokerErrors.rootMessage(ex), this.config.maskedUrl(),
					ex);
		}
	}

	private void declare(Declarables declarables) {
		for (Declarable declarable : declarables.getDeclarables()) {
			try {
				if (declarable instanceof Exchange exchange) {
					this.admin.declareExchange(exchange);
				}
				else if (declarable instanceof Queue queue) {
					this.admin.declareQueue(queue);
				}
				else if (declarable instanceof Binding binding) {
					this.admin.declareBinding(binding);
				}
			}
			catch (AmqpException ex) {
				throw Declarations.failure(declarable, ex, this.config);
			}
		}
	}

	/**
	 * Whether the client is connected and has declared its topology. A client that does
	 * not fail fast is started but not yet connected while the broker does not answer.
	 * @return whether connected
	 */
	public boolean isConnected() {
		return this.state == State.CONNECTED && this.brokerReady;
	}

	public String streamName() {
		return this.streamName;
	}

	public RabbitConfig config() {
		return this.config;
	}

	/**
	 * The exchange, queue and binding this client declares and uses.
	 * @return the topology
	 */
	public RabbitTopology topology() {
		return this.topology;
	}

	/**
	 * Sends a message with the configured routing key.
	 * @param payload a {@code String} (sent as UTF-8 text), a {@code byte[]} (as is), or
	 * any other object (as JSON)
	 * @return a future that completes when the broker confirms the message, and completes
	 * exceptionally with {@link UnroutableMessageException} when no queue matches, or
	 * {@link SendFailedException} when the broker nacks it or the connection fails first
	 * @see #send(Object, SendOptions)
	 */
	public CompletableFuture<Void> send(Object payload) {
		return send(payload, SendOptions.none());
	}

	/**
	 * Sends a message. The call publishes and returns without waiting for the confirm, so
	 * many sends can be in flight at once. Messages are persistent when the configuration
	 * is durable.
	 * @param payload a {@code String} (sent as UTF-8 text), a {@code byte[]} (as is), or
	 * any other object (as JSON)
	 * @param options routing key, headers, message id or correlation id for this message
	 * @return a future that completes when the broker confirms the message; see
	 * {@link #send(Object)}
	 * @throws IllegalStateException if the client is not connected
	 * @throws IllegalArgumentException if the payload cannot be written as JSON
	 */
	public CompletableFuture<Void> send(Object payload, SendOptions options) {
		Objects.requireNonNull(payload, "payload");
		Objects.requireNonNull(options, "options");
		checkConnected();
		String messageId = (options.messageId() != null) ? options.messageId() : nextId();
		String exchange = this.topology.exchangeName();
		String routingKey = (options.routingKey() != null) ? options.routingKey() : this.topology.defaultRoutingKey();
		String blocked = this.blockedPublishing.reason();
		if (blocked != null) {
			return CompletableFuture.failedFuture(
					new BrokerBlockedException("Message " + messageId + " was not sent: the broker blocks publishing ("
							+ blocked + "); send it again once the alarm " + "clears", messageId));
		}
		PayloadCodec.Outgoing message = this.codec.encode(payload, options, this.config.durable(), messageId);
		CorrelationData correlation = new CorrelationData(nextId());
		CompletableFuture<Void> result = new CompletableFuture<>();
		this.unconfirmed.incrementAndGet();
		try {
			this.publishing.publish(exchange, routingKey, message, correlation);
		}
		catch (RuntimeException ex) {
			confirmed();
			result.completeExceptionally(new SendFailedException(
					"Could not send message " + messageId + " to exchange '" + exchange + "' with routing key '"
							+ routingKey + "' at " + this.config.maskedUrl() + ": " + BrokerErrors.rootMessage(ex),
					messageId, ex));
			return result;
		}
		correlation.getFuture()
			.whenComplete((confirm, error) -> runCallback(
					() -> completeSend(result, correlation, confirm, error, messageId, exchange, routingKey)));
		return result;
	}

	private void completeSend(CompletableFuture<Void> result, CorrelationData correlation,
			CorrelationData.@Nullable Confirm confirm, @Nullable Throwable error, String messageId, String exchange,
			String routingKey) {
		confirmed();
		ReturnedMessage returned = correlation.getReturned();
		if (error != null || confirm == null) {
			result.completeExceptionally(new SendFailedException("Message " + messageId + " was not confirmed: "
					+ ((error != null) ? error.getMessage() : "no confirm"), messageId, error));
		}
		else if (returned != null) {
			result.completeExceptionally(new UnroutableMessageException(messageId, exchange, routingKey,
					returned.getReplyCode(), returned.getReplyText()));
		}
		else if (!confirm.ack()) {
			String reason = confirm.reason();
			result.completeExceptionally(new SendFailedException(
					"Message " + messageId + " to exchange '" + exchange + "' with routing key '" + routingKey
							+ "' was not confirmed by the broker" + ((reason != null) ? ": " + reason : " (nack)"),
					messageId, null));
		}
		else {
			result.complete(null);
		}
	}

	private void runCallback(Runnable callback) {
		try {
			this.callbackExecutor.execute(callback);
		}
		catch (RejectedExecutionException ex) {
			// the client is closing and its callback pool is gone: finish the future here
			callback.run();
		}
	}

	private void confirmed() {
		if (this.unconfirmed.decrementAndGet() == 0 && this.state == State.CLOSING) {
			synchronized (this.drainMonitor) {
				this.drainMonitor.notifyAll();
			}
		}
	}

	/**
	 * The next message, when it arrives. Starts consuming on first use. The future
	 * completes on the client's callback pool, never on a broker thread.
	 * @return a future completed with the next message; completed exceptionally with
	 * {@link IllegalStateException} if the client closes first
	 */
	public CompletableFuture<RabbitMessage> receive() {
		startConsuming(Consumption.ITERATION);
		return this.deliveries.next();
	}

	/**
	 * Waits up to the timeout for the next message. Starts consuming on first use.
	 * @param timeout how long to wait
	 * @return the message, or empty if none came in time, the client closed, or the
	 * thread was interrupted (its interrupt flag is then set)
	 */
	public Optional<RabbitMessage> receive(Duration timeout) {
		startConsuming(Consumption.ITERATION);
		try {
			return this.deliveries.poll(timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/**
	 * Iterates over messages as they arrive: {@code hasNext()} blocks for the next one
	 * and returns false once the client is closed (or the thread is interrupted). Starts
	 * consuming on first use.
	 * @return a blocking iterator
	 */
	@Override
	public Iterator<RabbitMessage> iterator() {
		startConsuming(Consumption.ITERATION);
		return new Iterator<>() {

			private @Nullable RabbitMessage next;

			@Override
			public boolean hasNext() {
				if (this.next == null) {
					try {
						this.next = RabbitClient.this.deliveries.take();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return this.next != null;
			}

			@Override
			public RabbitMessage next() {
				if (!hasNext()) {
					throw new NoSuchElementException("The RabbitClient is closed");
				}
				RabbitMessage message = this.next;
				this.next = null;
				return message;
			}

		};
	}

	/**
	 * Pushes every message to the handler on the container's consumer threads (with
	 * concurrency N, N at once): acked when it returns, nacked and requeued when it
	 * throws. A client either iterates or has a handler, not both.
	 * @param handler the handler
	 * @throws IllegalStateException if the client already consumes
	 */
	public void subscribe(RabbitMessageHandler handler) {
		Objects.requireNonNull(handler, "handler");
		this.lifecycleLock.lock();
		try {
			checkConnected();
			if (this.consumption != Consumption.NONE) {
				throw new IllegalStateException("RabbitClient '" + this.streamName + "' already consumes by "
						+ ((this.consumption == Consumption.HANDLER) ? "a handler" : "receive/iteration"));
			}
			this.handler = handler;
			startConsuming(Consumption.HANDLER);
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private void startConsuming(Consumption mode) {
		if (this.consumption == mode && this.state == State.CONNECTED) {
			return;
		}
		this.lifecycleLock.lock();
		try {
			checkConnected();
			if (this.consumption == mode) {
				return;
			}
			if (this.consumption != Consumption.NONE) {
				throw new IllegalStateException("RabbitClient '" + this.streamName + "' consumes by a handler; "
						+ "receive() and iteration are not available");
			}
			this.consumption = mode;
			if (this.brokerReady) {
				beginConsuming();
			}
		}
		finally {
			this.lifecycleLock.unlock();
		}
	}

	private void beginConsuming() {
		if (!this.topology.declaresQueueOnConnect()) {
			declare(this.topology.consumerDeclarables());
		}
		this.container.start();
		if (logger.isDebugEnabled()) {
			logger.debug(
					"RabbitClient '" + this.streamName + "' consuming from queue '" + this.topology.queueName() + "'");
		}
	}

	/**
	 * Acknowledges a message: the broker deletes it. Safe from any thread.
	 * @param message a message this client delivered
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void ack(RabbitMessage message) {
		ownDelivery(message).ack(message.messageId());
	}

	/**
	 * Rejects a message and puts it back in the queue; it comes again flagged
	 * redelivered.
	 * @param message a message this client delivered
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void nack(RabbitMessage message) {
		nack(message, true);
	}

	/**
	 * Rejects a message.
	 * @param message a message this client delivered
	 * @param requeue true to put it back in the queue; false to drop it (or dead-letter
	 * it, if the queue has a dead-letter exchange)
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void nack(RabbitMessage message, boolean requeue) {
		ownDelivery(message).nack(message.messageId(), requeue);
	}

	private Delivery ownDelivery(RabbitMessage message) {
		Delivery delivery = Objects.requireNonNull(message, "message").delivery();
		if (!delivery.belongsTo(this)) {
			throw new IllegalArgumentException(
					"Message " + message.messageId() + " was delivered by another RabbitClient; settle it there");
		}
		return delivery;
	}

	/**
	 * Closes the client: stops handing out messages and puts the ones fetched but not
	 * handed out back in the queue, waits up to the shutdown timeout for messages handed
	 * out (and handlers running) to be settled and for outstanding confirms, then stops
	 * the consumers (the broker requeues whatever is still unacked) and closes what the
	 * client created. Calling it again does nothing.
	 */
	@Override
	public void close() {
		this.lifecycleLock.lock();
		try {
			if (this.state == State.CLOSING || this.state == State.CLOSED) {
				return;
			}
			this.state = State.CLOSING;
		}
		finally {
			this.lifecycleLock.unlock();
		}
		long deadline = System.nanoTime() + this.config.shutdownTimeout().toNanos();
		try {
			for (RabbitMessage message : this.deliveries.close()) {
				requeueUnhandedOut(message);
			}
			if (!awaitDrained(this.unsettled, deadline) && logger.isWarnEnabled()) {
				logger.warn("RabbitClient '" + this.streamName + "' closed with " + this.unsettled.get()
						+ " message(s) handed out but not acked within " + this.config.shutdownTimeout()
						+ "; the broker requeues them");
			}
			this.container.stop();
			if (!awaitDrained(this.unconfirmed, deadline) && logger.isWarnEnabled()) {
				logger.warn("RabbitClient '" + this.streamName + "' closed with " + this.unconfirmed.get()
						+ " send(s) not yet confirmed after " + this.config.shutdownTimeout()
						+ "; their futures fail as the connection closes");
			}
		}
		finally {
			releaseResources();
			this.state = State.CLOSED;
		}
	}

	private void requeueUnhandedOut(RabbitMessage message) {
		if (message.delivery().abandon()) {
			message.delivery().requeueQuietly();
		}
	}

	private boolean awaitDrained(AtomicInteger counter, long deadline) {
		synchronized (this.drainMonitor) {
			while (counter.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.drainMonitor, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
			return true;
		}
	}

	private void releaseResources() {
		this.publishing.close();
		if (this.ownsContainer) {
			this.container.destroy();
		}
		if (this.ownsConnectionFactory && this.connectionFactory instanceof CachingConnectionFactory caching) {
			caching.destroy();
		}
		if (this.ownsCallbackExecutor && this.callbackExecutor instanceof ExecutorService executor) {
			executor.shutdown();
		}
		this.timer.shutdownNow();
		if (logger.isDebugEnabled()) {
			logger.debug("RabbitClient '" + this.streamName + "' closed");
		}
	}

	private void settled() {
		if (this.unsettled.decrementAndGet() == 0 && this.state == State.CLOSING) {
			synchronized (this.drainMonitor) {
				this.drainMonitor.notifyAll();
			}
		}
	}

	private void checkConnected() {
		State current = this.state;
		if (current == State.NEW) {
			throw new IllegalStateException(
					"RabbitClient '" + this.streamName + "' is not connected: call connect() first");
		}
		if (current != State.CONNECTED) {
			throw closedException();
		}
	}

	private IllegalStateException closedException() {
		return new IllegalStateException("RabbitClient '" + this.streamName + "' is closed");
	}

	private String nextId() {
		return this.idPrefix + Long.toString(this.idSequence.incrementAndGet(), 36);
	}

	/**
	 * Connects; called by the Spring container when the context starts.
	 */
	@Override
	public void start() {
		connect();
	}

	/**
	 * Closes; called by the Spring container when the context stops.
	 */
	@Override
	public void stop() {
		close();
	}

	@Override
	public boolean isRunning() {
		return this.state == State.CONNECTED;
	}

	@Override
	public String toString() {
		return "RabbitClient[stream=" + this.streamName + ", url=" + this.config.maskedUrl() + ", exchange='"
				+ this.topology.exchangeName() + "', queue='" + this.topology.queueName() + "', state=" + this.state
				+ "]";
	}

	private final class ClientListener implements ChannelAwareMessageListener {

		@Override
		public void onMessage(Message message, @Nullable Channel channel) {
			Channel target = (channel instanceof ChannelProxy proxy) ? proxy.getTargetChannel() : channel;
			Objects.requireNonNull(target, "manual acknowledgement needs the delivering channel");
			RabbitClient.this.unsettled.incrementAndGet();
			Delivery delivery = new Delivery(RabbitClient.this, target, message.getMessageProperties().getDeliveryTag(),
					RabbitClient.this::settled);
			RabbitMessage delivered = new RabbitMessage(message.getBody(), message.getMessageProperties(),
					RabbitClient.this.codec, delivery);
			RabbitMessageHandler handler = RabbitClient.this.handler;
			if (handler == null) {
				if (!RabbitClient.this.deliveries.offer(delivered)) {
					delivery.abandon();
				}
			}
			else if (RabbitClient.this.state != State.CONNECTED) {
				// closing: leave it unacked, the broker requeues it when the channel
				// closes
				delivery.abandon();
			}
			else {
				handle(handler, delivered);
			}
		}

		private void handle(RabbitMessageHandler handler, RabbitMessage message) {
			try {
				handler.handle(message);
				if (!message.isSettled()) {
					ack(message);
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
				if (!message.isSettled()) {
					try {
						nack(message, true);
					}
					catch (AckFailedException nackFailed) {
						// the channel is gone: the broker requeues it anyway
					}
				}
				// one line at WARN; the stack trace at DEBUG, so a flaky dependency does
				// not flood the log
				if (logger.isWarnEnabled()) {
					logger.warn("Handler of RabbitClient '" + RabbitClient.this.streamName + "' failed on message "
							+ message.messageId() + " (redelivered=" + message.redelivered() + "); requeued: " + ex);
				}
				if (logger.isDebugEnabled()) {
					logger.debug("Handler failure of message " + message.messageId(), ex);
				}
			}
		}

	}

	/**
	 * Builds a {@link RabbitClient} around existing infrastructure. Whatever is not given
	 * is created from the configuration, and closed with the client; what is given is
	 * left for its owner to close.
	 */
	public static final class Builder {

		private final String streamName;

		private final RabbitConfig config;

		private @Nullable ConnectionFactory connectionFactory;

		private @Nullable AbstractMessageListenerContainer container;

		private @Nullable Declarables declarables;

		private @Nullable JsonMapper jsonMapper;

		private @Nullable Executor callbackExecutor;

		private Builder(String streamName, RabbitConfig config) {
			this.streamName = Objects.requireNonNull(streamName, "streamName");
			this.config = Objects.requireNonNull(config, "config");
		}

		/**
		 * The connection factory, as {@link RabbitConnectionFactories} makes it. The
		 * client publishes on a confirm-mode channel of its own on the factory's
		 * publisher connection.
		 * @param connectionFactory the connection factory
		 * @return this builder
		 */
		public Builder connectionFactory(ConnectionFactory connectionFactory) {
			this.connectionFactory = connectionFactory;
			return this;
		}

		/**
		 * The listener container, in manual-ack mode and not auto-started, as
		 * {@link RabbitListenerContainers} makes it. The client sets its message
		 * listener.
		 * @param container the container
		 * @return this builder
		 */
		public Builder listenerContainer(AbstractMessageListenerContainer container) {
			this.container = container;
			return this;
		}

		/**
		 * What to declare on connect, instead of {@link RabbitTopology#declarables()}.
		 * @param declarables the declarables
		 * @return this builder
		 */
		public Builder declarables(Declarables declarables) {
			this.declarables = declarables;
			return this;
		}

		/**
		 * The JSON mapper for object payloads and {@link RabbitMessage#bodyAs(Class)}.
		 * @param jsonMapper the mapper
		 * @return this builder
		 */
		public Builder jsonMapper(JsonMapper jsonMapper) {
			this.jsonMapper = jsonMapper;
			return this;
		}

		/**
		 * Where send and receive futures complete. By default a pool of the client's own,
		 * so that callbacks never run on (and block) a broker thread.
		 * @param callbackExecutor the executor
		 * @return this builder
		 */
		public Builder callbackExecutor(Executor callbackExecutor) {
			this.callbackExecutor = callbackExecutor;
			return this;
		}

		public RabbitClient build() {
			return new RabbitClient(this);
		}

	}

}
