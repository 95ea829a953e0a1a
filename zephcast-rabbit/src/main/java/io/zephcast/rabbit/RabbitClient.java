package io.zephcast.rabbit;

import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.internal.Amqp10ClientCore;
import io.zephcast.rabbit.internal.ClientCore;
import io.zephcast.rabbit.internal.ClientEngine;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.context.SmartLifecycle;

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
 * <p>
 * This class is the API; the work is done behind it, in
 * {@code io.zephcast.rabbit.internal}, which is not API.
 */
public final class RabbitClient extends RabbitClientReceiving
		implements AutoCloseable, Iterable<RabbitMessage>, SmartLifecycle {

	private final String streamName;

	private final RabbitConfig config;

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
		super(builder.engine());
		this.streamName = builder.streamName;
		this.config = builder.config;
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

	/**
	 * Opens the connection and declares the exchange, and the queue with its binding when
	 * the configuration names a queue. Calling it again does nothing; on a stopped client
	 * it starts it again. When it throws, it leaves nothing of its own open (no
	 * connection of a factory it created, no thread), so a client in a try-with-resources
	 * whose {@code connect()} failed leaks nothing, and {@code connect()} may be called
	 * again.
	 * @return this client
	 * @throws RabbitConnectionException if the broker cannot be reached or refuses the
	 * login
	 * @throws TopologyMismatchException if the broker refuses a declaration
	 * @throws IllegalStateException if the client is closed
	 */
	public RabbitClient connect() {
		this.core.connect();
		return this;
	}

	/**
	 * Whether the client is running, connected and has declared its topology. A client
	 * that does not fail fast is started but not yet connected while the broker does not
	 * answer.
	 * @return whether connected
	 */
	public boolean isConnected() {
		return this.core.isConnected();
	}

	/**
	 * The stream name: the name of the client's connections, and the queue name and
	 * routing key where the configuration leaves them empty.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The configuration the client was made with.
	 * @return the configuration
	 */
	public RabbitConfig config() {
		return this.config;
	}

	/**
	 * What the client can say about itself: connection, consumers, sends in flight,
	 * buffered deliveries, and a check of the broker; for health checks and gauges.
	 * @return the client's status
	 */
	public RabbitClientStatus status() {
		return this.core.status();
	}

	/**
	 * Sends a message with the configured routing key.
	 * @param payload a {@code String} (sent as UTF-8 text), a {@code byte[]} (as is), or
	 * any other object (as JSON)
	 * @return a future that completes when the broker confirms the message; see
	 * {@link #send(Object, SendOptions)}
	 */
	public CompletableFuture<Void> send(Object payload) {
		return send(payload, SendOptions.none());
	}

	/**
	 * Sends a message. The call publishes and returns without waiting for the confirm, so
	 * many sends can be in flight at once. Messages are persistent when the configuration
	 * is durable. Handlers finishing while the client stops or closes can still send. The
	 * call never waits for the network (a send made while the publishing channel is being
	 * opened waits for it in the background); it waits only for room, when
	 * {@link PublisherOptions#maxInFlight()} sends are in flight, at most
	 * {@link PublisherOptions#maxBlock()}.
	 * @param payload a {@code String} (sent as UTF-8 text), a {@code byte[]} (as is), or
	 * any other object (as JSON)
	 * @param options routing key, headers, message id or correlation id for this message
	 * @return a future that completes normally only when the broker confirms the message
	 * (it is then in every queue it routes to), and otherwise exceptionally with a
	 * {@link SendFailedException} whose {@link SendFailedException#mayHaveBeenStored()}
	 * tells resend logic whether the message may nevertheless be in the queue:
	 * {@link InvalidMessageException}, {@link BrokerBlockedException},
	 * {@link UnroutableMessageException} or a nack are definitely not stored; a lost
	 * connection or the confirm timeout may have been
	 * @throws IllegalStateException if the client is not started, or stopped or closed
	 */
	public CompletableFuture<Void> send(Object payload, SendOptions options) {
		return this.core.send(payload, options);
	}

	/**
	 * Iterates over messages as they arrive: {@code hasNext()} blocks for the next one
	 * and returns false once the client is closed (or the thread is interrupted). Starts
	 * consuming on first use. On a closed client the iteration is empty.
	 * @return a blocking iterator
	 * @throws IllegalStateException if the client is not connected yet or stopped
	 * @throws RabbitClientException if consuming cannot start; the next call tries again
	 * @throws InvalidRabbitConfigException if retried messages could not come back to the
	 * queue (a classic queue that rejects publishes when full, with retries)
	 */
	@Override
	public Iterator<RabbitMessage> iterator() {
		return this.core.iterator();
	}

	/**
	 * Stops the client without closing it (Spring calls this when the context stops):
	 * stops handing out messages, waits up to the shutdown timeout for the ones handed
	 * out (and handlers running) to be settled, stops the consumers (the broker requeues
	 * what was fetched but not handed out) and waits for outstanding confirms. Handlers
	 * finishing meanwhile can still send. Pulls waiting for a message go on waiting;
	 * {@link #start()} resumes.
	 */
	@Override
	public void stop() {
		this.core.stop();
	}

	/**
	 * Closes the client: stops handing out messages, waits for messages handed out (and
	 * handlers running) to be settled, stops the consumers (the broker requeues whatever
	 * is still unacked, including what was fetched but never handed out), waits for
	 * outstanding confirms, and closes what the client created; all within the shutdown
	 * timeout. Handlers finishing meanwhile can still send; sends still unconfirmed at
	 * the end fail as "may have been stored". Waiting pulls end. Calling it again does
	 * nothing.
	 * <p>
	 * It returns within the shutdown timeout (and at most about 2 s more) whatever the
	 * broker, the network or the handlers do: past the timeout it aborts the connections
	 * the client created (a broker that blocks publishing, a link that swallows packets,
	 * a connect still waiting), logs a warning, and what is left finishes in the
	 * background.
	 */
	@Override
	public void close() {
		this.core.close();
	}

	/**
	 * Connects, or resumes a stopped client; called by the Spring container when the
	 * context starts.
	 */
	@Override
	public void start() {
		connect();
	}

	@Override
	public boolean isRunning() {
		return this.core.isRunning();
	}

	@Override
	public String toString() {
		return this.core.toString();
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

		private @Nullable Consumer<? super DirectMessageListenerContainer> containerCustomizer;

		private @Nullable Declarables declarables;

		private @Nullable JsonMapper jsonMapper;

		private @Nullable Executor callbackExecutor;

		private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

		private RabbitClientMetrics metrics = RabbitClientMetrics.NONE;

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
		 * The listener container, in manual-ack mode and not auto-started, instead of the
		 * one the client makes from the configuration (a
		 * {@code DirectMessageListenerContainer} with its queue, prefetch and
		 * concurrency). The client sets its message listener.
		 * @param container the container
		 * @return this builder
		 */
		public Builder listenerContainer(AbstractMessageListenerContainer container) {
			this.container = container;
			return this;
		}

		/**
		 * Adjusts the listener container the client creates (when none is given with
		 * {@link #listenerContainer}), right after it is created and before the client
		 * initializes it: an error handler, a consumer tag strategy, a task executor. The
		 * container must stay in manual-ack mode, and the client sets its message
		 * listener.
		 * @param customizer called once with the container
		 * @return this builder
		 */
		public Builder listenerContainerCustomizer(Consumer<? super DirectMessageListenerContainer> customizer) {
			this.containerCustomizer = Objects.requireNonNull(customizer, "customizer");
			return this;
		}

		/**
		 * What to declare on connect, instead of the exchange, queue, binding, wait
		 * queues and dead-letter queue the client derives from the configuration.
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

		/**
		 * Where to observe each send and each delivered message (Micrometer Observation),
		 * with the trace context carried in the message headers. By default
		 * {@link ObservationRegistry#NOOP}: nothing is observed.
		 * @param observationRegistry the registry
		 * @return this builder
		 */
		public Builder observationRegistry(ObservationRegistry observationRegistry) {
			this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
			return this;
		}

		/**
		 * What to tell about sends, deliveries and handler calls. By default
		 * {@link RabbitClientMetrics#NONE}: nothing.
		 * @param metrics the metrics
		 * @return this builder
		 */
		public Builder metrics(RabbitClientMetrics metrics) {
			this.metrics = Objects.requireNonNull(metrics, "metrics");
			return this;
		}

		/**
		 * Builds the client; call {@link RabbitClient#connect()} on it before use.
		 * @return the client
		 */
		public RabbitClient build() {
			return new RabbitClient(this);
		}

		private ClientEngine engine() {
			if (this.config.protocol() == Protocol.AMQP_1_0) {
				if (this.connectionFactory != null || this.container != null || this.containerCustomizer != null
						|| this.declarables != null) {
					throw new InvalidRabbitConfigException("protocol", this.config.protocol(),
							"a connection factory, listener container, container customizer or declarables are "
									+ "AMQP 0-9-1 infrastructure; an AMQP 1.0 client makes its own connection "
									+ "and declares its topology over it");
				}
				return new Amqp10ClientCore(this.streamName, this.config, this.jsonMapper, this.callbackExecutor,
						this.observationRegistry, this.metrics);
			}
			return new ClientCore(this.streamName, this.config, this.connectionFactory, this.container,
					this.containerCustomizer, this.declarables, this.jsonMapper, this.callbackExecutor,
					this.observationRegistry, this.metrics);
		}

	}

}
