package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.support.ExecutorServiceAdapter;
import org.springframework.core.task.support.TaskExecutorAdapter;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code io.zephcast.rabbit.RabbitClient} does over AMQP 1.0 (RabbitMQ 4), with
 * RabbitMQ's AMQP 1.0 Java client: wires the connection, the topology declared through
 * AMQP 1.0 management, the publisher and the consumers, and starts and stops them. This
 * class names no type of that client, so that loading it (the façade refers to it) needs
 * no AMQP 1.0 client on the class path; it checks for the client before anything else.
 * <p>
 * Where AMQP 1.0 differs from the AMQP 0-9-1 client:
 * <ul>
 * <li>{@code durable=false} is refused when the client is built if it declares or
 * verifies its topology: RabbitMQ's AMQP 1.0 management declares durable exchanges and
 * queues only ({@link Amqp10Topology});</li>
 * <li>{@code declare=verify} checks an exchange's existence, not its type;</li>
 * <li>once connected, the AMQP 1.0 client recovers the connection and its links; the
 * client then declares its topology again (the AMQP 1.0 client declares again only
 * exclusive or auto-delete queues) and, if links could not be attached again (a queue
 * deleted meanwhile ends the session they share), moves to a new connection;</li>
 * <li>the broker's version and capabilities are not known to the status; a broker that is
 * not RabbitMQ 4 fails {@code connect()} with {@code BrokerCompatibilityException} naming
 * {@code protocol};</li>
 * <li>header values must be simple (no lists nor maps): AMQP 1.0 application
 * properties.</li>
 * </ul>
 */
public final class Amqp10ClientCore implements ClientEngine {

	/** A class of RabbitMQ's AMQP 1.0 client, to tell whether it is on the class path. */
	static final String CLIENT_CLASS = "com.rabbitmq.client.amqp.Environment";

	private final String streamName;

	private final RabbitConfig config;

	private final ClientInstrumentation instrumentation;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	private final Amqp10Lifecycle lifecycle;

	private final Amqp10Status status;

	/**
	 * Wires a client; connects nothing.
	 * @param streamName the stream name
	 * @param config the configuration, with protocol AMQP 1.0
	 * @param jsonMapper the JSON mapper, or {@code null}
	 * @param callbackExecutor where futures complete, or {@code null}
	 * @param observationRegistry where to observe sends and deliveries
	 * @param metrics what to tell about sends and deliveries
	 * @throws InvalidRabbitConfigException if RabbitMQ's AMQP 1.0 client is not on the
	 * class path
	 */
	public Amqp10ClientCore(String streamName, RabbitConfig config, @Nullable JsonMapper jsonMapper,
			@Nullable Executor callbackExecutor, ObservationRegistry observationRegistry, RabbitClientMetrics metrics) {
		this.streamName = Objects.requireNonNull(streamName, "streamName");
		this.config = Objects.requireNonNull(config, "config");
		checkClientPresent(config);
		Amqp10Topology.checkSupported(config);
		RabbitTopology topology = RabbitTopology.of(streamName, config);
		Executor callbacks = (callbackExecutor != null) ? callbackExecutor : ClientLifecycle.callbackPool(streamName);
		PayloadCodec codec = new PayloadCodec((jsonMapper != null) ? jsonMapper : JsonMapper.builder().build());
		this.instrumentation = new ClientInstrumentation(streamName, topology, observationRegistry, metrics);
		Amqp10Connection connection = new Amqp10Connection(streamName, config, settlementCallbacks(callbacks));
		this.publisher = new Amqp10Publisher(streamName, config, topology, codec, this.instrumentation, callbacks);
		this.consumption = new Amqp10Consumption(streamName, config, topology, codec, this.instrumentation, callbacks);
		this.lifecycle = new Amqp10Lifecycle(streamName, config, topology, connection, this.publisher, this.consumption,
				(callbackExecutor == null) ? (ExecutorService) callbacks : null);
		this.status = new Amqp10Status(streamName, config, topology, this.lifecycle, connection, this.publisher,
				this.consumption);
	}

	/**
	 * The callback executor as the AMQP 1.0 client takes it for its publishers'
	 * callbacks: an application's plain {@link Executor} behind Spring's adapters, which
	 * refuse a shutdown (the client shuts down only an executor of its own).
	 */
	private static ExecutorService settlementCallbacks(Executor callbacks) {
		return (callbacks instanceof ExecutorService service) ? service
				: new ExecutorServiceAdapter(new TaskExecutorAdapter(callbacks));
	}

	private static void checkClientPresent(RabbitConfig config) {
		try {
			Class.forName(CLIENT_CLASS, false, Amqp10ClientCore.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			throw new InvalidRabbitConfigException("protocol", config.protocol(),
					"AMQP 1.0 needs RabbitMQ's AMQP 1.0 Java client on the class path: add the dependency "
							+ "com.rabbitmq.client:amqp-client");
		}
	}

	/** Connects, or starts a stopped client again. */
	@Override
	public void connect() {
		this.lifecycle.connect();
	}

	@Override
	public boolean isConnected() {
		return this.lifecycle.isConnected();
	}

	@Override
	public RabbitClientStatus status() {
		return this.status;
	}

	@Override
	public CompletableFuture<Void> send(Object payload, SendOptions options) {
		EngineCalls.checkSend(payload, options);
		this.lifecycle.checkSendable();
		return this.publisher.send(payload, options);
	}

	@Override
	public CompletableFuture<RabbitMessage> receive() {
		return EngineCalls.receive(this::startPulling, this.consumption::next);
	}

	@Override
	public Optional<RabbitMessage> receive(Duration timeout) {
		return EngineCalls.receive(this::startPulling, this.consumption::poll, timeout);
	}

	@Override
	public Iterator<RabbitMessage> iterator() {
		return EngineCalls.iterator(this.lifecycle.state(), this::startPulling, this.consumption::iterator);
	}

	private void startPulling() {
		EngineCalls.checkRetryReturnPath(this.config);
		this.lifecycle.startConsuming(Amqp10Consumption.Mode.PULL, null);
	}

	@Override
	public void subscribe(RabbitMessageHandler handler) {
		EngineCalls.checkRetryReturnPath(this.config);
		this.lifecycle.startConsuming(Amqp10Consumption.Mode.PUSH,
				this.instrumentation.timed(Objects.requireNonNull(handler, "handler")));
	}

	@Override
	public void ack(RabbitMessage message) {
		this.consumption.ack(ownDelivery(message));
	}

	@Override
	public void nack(RabbitMessage message, boolean requeue) {
		this.consumption.nack(ownDelivery(message), requeue);
	}

	@Override
	public CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		return this.consumption.retryLater(ownDelivery(message), cause);
	}

	@Override
	public CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		return this.consumption.deadLetter(ownDelivery(message), cause);
	}

	private RabbitMessage ownDelivery(RabbitMessage message) {
		EngineCalls.checkDeliveredHere(message, this.consumption::owns);
		return message;
	}

	/** Stops without closing. */
	@Override
	public void stop() {
		this.lifecycle.stop();
	}

	/** Closes, within the shutdown timeout. */
	@Override
	public void close() {
		this.lifecycle.close();
	}

	@Override
	public boolean isRunning() {
		return this.lifecycle.state() == ClientLifecycle.State.RUNNING;
	}

	@Override
	public String toString() {
		return "RabbitClient[stream=" + this.streamName + ", broker=" + this.config.maskedAddresses()
				+ ", protocol=amqp-1-0, state=" + this.lifecycle.state() + "]";
	}

}
