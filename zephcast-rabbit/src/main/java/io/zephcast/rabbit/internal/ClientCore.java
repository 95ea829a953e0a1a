package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * What {@code io.zephcast.rabbit.RabbitClient} does, behind it: wires the parts
 * ({@link Connector} connects and declares, {@link Publisher} sends, {@link Consumption}
 * receives, {@link ClientLifecycle} starts and stops them) and checks the arguments of
 * each call. The façade holds the API and its Javadoc, and delegates here one line per
 * method. It owns the deliveries of the messages it hands out.
 */
public final class ClientCore implements ClientEngine {

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Publisher publisher;

	private final Consumption consumption;

	private final FailedMessages failedMessages;

	private final ParkingFailures parking;

	private final ClientLifecycle lifecycle;

	private final ClientInstrumentation instrumentation;

	private final ClientStatus status;

	/**
	 * Wires a client. What is {@code null} is created from the configuration and closed
	 * with the client; what is given is left to its owner.
	 * @param streamName the stream name
	 * @param config the configuration
	 * @param givenConnectionFactory the connection factory, or {@code null}
	 * @param givenContainer the listener container, or {@code null}
	 * @param containerCustomizer what adjusts the container the client creates, or
	 * {@code null}
	 * @param givenDeclarables what to declare on connect, or {@code null}
	 * @param jsonMapper the JSON mapper, or {@code null}
	 * @param givenCallbackExecutor where futures complete, or {@code null}
	 * @param observationRegistry where to observe sends and deliveries
	 * @param metrics what to tell about sends and deliveries
	 */
	public ClientCore(String streamName, RabbitConfig config, @Nullable ConnectionFactory givenConnectionFactory,
			@Nullable AbstractMessageListenerContainer givenContainer,
			@Nullable Consumer<? super DirectMessageListenerContainer> containerCustomizer,
			@Nullable Declarables givenDeclarables, @Nullable JsonMapper jsonMapper,
			@Nullable Executor givenCallbackExecutor, ObservationRegistry observationRegistry,
			RabbitClientMetrics metrics) {
		this.streamName = Objects.requireNonNull(streamName, "streamName");
		this.config = Objects.requireNonNull(config, "config");
		this.topology = RabbitTopology.of(streamName, config);
		Declarables declarables = (givenDeclarables != null) ? givenDeclarables : this.topology.declarables();
		ConnectionFactory connectionFactory = (givenConnectionFactory != null) ? givenConnectionFactory
				: ConnectionFactories.create(streamName, config, null);
		Connector connector = new Connector(streamName, config, connectionFactory, givenConnectionFactory == null);
		Executor callbackExecutor = (givenCallbackExecutor != null) ? givenCallbackExecutor
				: ClientLifecycle.callbackPool(streamName);
		PayloadCodec codec = new PayloadCodec((jsonMapper != null) ? jsonMapper : JsonMapper.builder().build());
		this.instrumentation = new ClientInstrumentation(streamName, this.topology, observationRegistry, metrics);
		this.publisher = new Publisher(streamName, config, this.topology, connectionFactory, codec,
				this.instrumentation, callbackExecutor);
		AbstractMessageListenerContainer container = (givenContainer != null) ? givenContainer
				: createContainer(connectionFactory, config, containerCustomizer);
		connector.broker().checkWith(new BrokerCompatibility(streamName, config, container));
		this.parking = new ParkingFailures(streamName, this.topology.queueName(), config.retry(), this.instrumentation);
		this.failedMessages = new FailedMessages(this.topology, config, this.publisher, this.parking);
		this.consumption = new Consumption(this, this.topology, container, givenContainer == null, connector, codec,
				this.failedMessages, this.instrumentation, callbackExecutor, config);
		this.lifecycle = new ClientLifecycle(streamName, config, declarables, connector, this.publisher,
				this.consumption, callbackExecutor, givenCallbackExecutor == null);
		this.status = new ClientStatus(streamName, config, this.topology, this.lifecycle, connector, this.publisher,
				this.consumption, container, this.parking);
	}

	private DirectMessageListenerContainer createContainer(ConnectionFactory connectionFactory, RabbitConfig config,
			@Nullable Consumer<? super DirectMessageListenerContainer> customizer) {
		DirectMessageListenerContainer container = RabbitListenerContainers.create(connectionFactory, this.topology,
				config);
		if (customizer != null) {
			// before Consumption initializes it, so that what the customizer sets is used
			customizer.accept(container);
		}
		return container;
	}

	/** Connects, or starts a stopped client again. */
	@Override
	public void connect() {
		// before consuming resumes: a message that fails to park must be held, not left
		this.parking.resume();
		this.lifecycle.connect();
	}

	/**
	 * Whether running, connected and declared.
	 * @return whether connected
	 */
	@Override
	public boolean isConnected() {
		return this.lifecycle.isConnected();
	}

	/**
	 * The client's status.
	 * @return the status
	 */
	@Override
	public RabbitClientStatus status() {
		return this.status;
	}

	/**
	 * Sends a message.
	 * @param payload the payload
	 * @param options the options
	 * @return the confirm's future
	 */
	@Override
	public CompletableFuture<Void> send(Object payload, SendOptions options) {
		EngineCalls.checkSend(payload, options);
		this.lifecycle.checkSendable();
		return this.publisher.send(payload, options);
	}

	/**
	 * The next message, when it arrives.
	 * @return the future message
	 */
	@Override
	public CompletableFuture<RabbitMessage> receive() {
		return EngineCalls.receive(this::startPulling, () -> this.consumption.deliveries().next());
	}

	/**
	 * The next message, waiting up to the timeout.
	 * @param timeout how long to wait
	 * @return the message, or empty
	 */
	@Override
	public Optional<RabbitMessage> receive(Duration timeout) {
		return EngineCalls.receive(this::startPulling, (wait) -> this.consumption.deliveries().poll(wait), timeout);
	}

	/**
	 * A blocking iterator over the messages; empty on a closing or closed client.
	 * @return the iterator
	 */
	@Override
	public Iterator<RabbitMessage> iterator() {
		return EngineCalls.iterator(this.lifecycle.state(), this::startPulling,
				() -> new MessageIterator(this.consumption.deliveries()));
	}

	private void startPulling() {
		EngineCalls.checkRetryReturnPath(this.config);
		this.lifecycle.startConsuming(Consumption.Mode.PULL, null);
	}

	/**
	 * Pushes every message to the handler.
	 * @param handler the handler
	 */
	@Override
	public void subscribe(RabbitMessageHandler handler) {
		EngineCalls.checkRetryReturnPath(this.config);
		this.lifecycle.startConsuming(Consumption.Mode.PUSH,
				this.instrumentation.timed(Objects.requireNonNull(handler, "handler")));
	}

	/**
	 * Acks a message this client delivered.
	 * @param message the message
	 */
	@Override
	public void ack(RabbitMessage message) {
		ownDelivery(message).ack(message.messageId());
	}

	/**
	 * Nacks a message this client delivered.
	 * @param message the message
	 * @param requeue whether to requeue it
	 */
	@Override
	public void nack(RabbitMessage message, boolean requeue) {
		ownDelivery(message).nack(message.messageId(), requeue);
	}

	/**
	 * Retries a message this client delivered later, or dead-letters it after its last
	 * attempt.
	 * @param message the message
	 * @param cause why, or {@code null}
	 * @return a future completed once the message is settled
	 */
	@Override
	public CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		ownDelivery(message);
		return this.failedMessages.retryLater(message, cause);
	}

	/**
	 * Dead-letters a message this client delivered now.
	 * @param message the message
	 * @param cause why, or {@code null}
	 * @return a future completed once the message is settled
	 */
	@Override
	public CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		ownDelivery(message);
		return this.failedMessages.deadLetter(message, cause, MessageHeaders.REASON_REJECTED);
	}

	private Settlement ownDelivery(RabbitMessage message) {
		EngineCalls.checkDeliveredHere(message, (delivered) -> delivered instanceof ReceivedMessage
				&& ReceivedMessage.settlementOf(delivered).belongsTo(this));
		return ReceivedMessage.settlementOf(message);
	}

	/** Stops without closing. */
	@Override
	public void stop() {
		// messages held after a failed copy are left to the broker, not waited for
		this.parking.release();
		this.lifecycle.stop();
	}

	/** Closes, within the shutdown timeout. */
	@Override
	public void close() {
		this.parking.release();
		try {
			this.lifecycle.close();
		}
		finally {
			this.parking.close();
		}
	}

	/**
	 * Whether started and neither stopped nor closed.
	 * @return whether running
	 */
	@Override
	public boolean isRunning() {
		return this.lifecycle.state() == ClientLifecycle.State.RUNNING;
	}

	@Override
	public String toString() {
		return "RabbitClient[stream=" + this.streamName + ", broker=" + this.config.maskedAddresses() + ", exchange='"
				+ this.topology.exchangeName() + "', queue='" + this.topology.queueName() + "', state="
				+ this.lifecycle.state() + "]";
	}

}
