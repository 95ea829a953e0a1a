package io.zephcast.rabbit;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Builds a {@link RabbitClient} around existing infrastructure. Whatever is not given is
 * created from the configuration, and closed with the client; what is given is left for
 * its owner to close.
 */
public final class RabbitClientBuilder {

	final String streamName;

	final RabbitConfig config;

	@Nullable ConnectionFactory connectionFactory;

	@Nullable AbstractMessageListenerContainer container;

	@Nullable Consumer<? super DirectMessageListenerContainer> containerCustomizer;

	@Nullable Declarables declarables;

	@Nullable JsonMapper jsonMapper;

	@Nullable Executor callbackExecutor;

	ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	RabbitClientMetrics metrics = RabbitClientMetrics.NONE;

	RabbitClientBuilder(String streamName, RabbitConfig config) {
		this.streamName = Objects.requireNonNull(streamName, "streamName");
		this.config = Objects.requireNonNull(config, "config");
	}

	/**
	 * The connection factory, as {@link RabbitConnectionFactories} makes it. The client
	 * publishes on a confirm-mode channel of its own on the factory's publisher
	 * connection.
	 * @param connectionFactory the connection factory
	 * @return this builder
	 */
	public RabbitClientBuilder connectionFactory(ConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
		return this;
	}

	/**
	 * The listener container, in manual-ack mode and not auto-started, as
	 * {@link RabbitListenerContainers} makes it. The client sets its message listener.
	 * @param container the container
	 * @return this builder
	 */
	public RabbitClientBuilder listenerContainer(AbstractMessageListenerContainer container) {
		this.container = container;
		return this;
	}

	/**
	 * Adjusts the listener container the client creates (when none is given with
	 * {@link #listenerContainer}), right after it is created and before the client
	 * initializes it: an error handler, a consumer tag strategy, a task executor. The
	 * container must stay in manual-ack mode, and the client sets its message listener.
	 * @param customizer called once with the container
	 * @return this builder
	 */
	public RabbitClientBuilder listenerContainerCustomizer(
			Consumer<? super DirectMessageListenerContainer> customizer) {
		this.containerCustomizer = Objects.requireNonNull(customizer, "customizer");
		return this;
	}

	/**
	 * What to declare on connect, instead of {@link RabbitTopology#declarables()}.
	 * @param declarables the declarables
	 * @return this builder
	 */
	public RabbitClientBuilder declarables(Declarables declarables) {
		this.declarables = declarables;
		return this;
	}

	/**
	 * The JSON mapper for object payloads and {@link RabbitMessage#bodyAs(Class)}.
	 * @param jsonMapper the mapper
	 * @return this builder
	 */
	public RabbitClientBuilder jsonMapper(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
		return this;
	}

	/**
	 * Where send and receive futures complete. By default a pool of the client's own, so
	 * that callbacks never run on (and block) a broker thread.
	 * @param callbackExecutor the executor
	 * @return this builder
	 */
	public RabbitClientBuilder callbackExecutor(Executor callbackExecutor) {
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
	public RabbitClientBuilder observationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
		return this;
	}

	/**
	 * What to tell about sends, deliveries and handler calls. By default
	 * {@link RabbitClientMetrics#NONE}: nothing.
	 * @param metrics the metrics
	 * @return this builder
	 */
	public RabbitClientBuilder metrics(RabbitClientMetrics metrics) {
		this.metrics = Objects.requireNonNull(metrics, "metrics");
		return this;
	}

	public RabbitClient build() {
		return new RabbitClient(this);
	}

}
