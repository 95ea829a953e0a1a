package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code io.zephcast.rabbit.RabbitClient} does over AMQP 1.0 (RabbitMQ 4), with
 * RabbitMQ's AMQP 1.0 Java client: wires the connection, the topology declared through
 * AMQP 1.0 management, the publisher and the consumers, and starts and stops them. This
 * class names no type of that client, so that loading it (the façade refers to it) needs
 * no AMQP 1.0 client on the class path; it checks for the client before anything else.
 */
public final class Amqp10ClientCore implements ClientEngine {

	/** A class of RabbitMQ's AMQP 1.0 client, to tell whether it is on the class path. */
	static final String CLIENT_CLASS = "com.rabbitmq.client.amqp.Environment";

	private final String streamName;

	private final RabbitConfig config;

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

	@Override
	public void connect() {
		throw notYet();
	}

	@Override
	public boolean isConnected() {
		return false;
	}

	@Override
	public RabbitClientStatus status() {
		throw notYet();
	}

	@Override
	public CompletableFuture<Void> send(Object payload, SendOptions options) {
		throw notYet();
	}

	@Override
	public CompletableFuture<RabbitMessage> receive() {
		throw notYet();
	}

	@Override
	public Optional<RabbitMessage> receive(Duration timeout) {
		throw notYet();
	}

	@Override
	public Iterator<RabbitMessage> iterator() {
		throw notYet();
	}

	@Override
	public void subscribe(RabbitMessageHandler handler) {
		throw notYet();
	}

	@Override
	public void ack(RabbitMessage message) {
		throw notYet();
	}

	@Override
	public void nack(RabbitMessage message, boolean requeue) {
		throw notYet();
	}

	@Override
	public CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		throw notYet();
	}

	@Override
	public CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		throw notYet();
	}

	@Override
	public void stop() {
	}

	@Override
	public void close() {
	}

	@Override
	public boolean isRunning() {
		return false;
	}

	private static UnsupportedOperationException notYet() {
		return new UnsupportedOperationException("AMQP 1.0 is being built");
	}

	@Override
	public String toString() {
		return "RabbitClient[stream=" + this.streamName + ", broker=" + this.config.maskedAddresses()
				+ ", protocol=amqp-1-0]";
	}

}
