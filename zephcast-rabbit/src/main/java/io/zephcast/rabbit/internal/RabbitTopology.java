package io.zephcast.rabbit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.HeadersExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;

/**
 * The exchange, queue and binding a client's configuration describes, and the names it
 * sends with. The stream name fills in what the configuration leaves empty: the queue
 * name, and the routing key.
 */
public final class RabbitTopology {

	private final String streamName;

	private final RabbitConfig config;

	private final @Nullable Exchange exchange;

	private final Queue queue;

	private final List<Binding> bindings;

	private final RetryQueues retryQueues;

	private RabbitTopology(String streamName, RabbitConfig config) {
		this.streamName = streamName;
		this.config = config;
		this.exchange = config.exchangeName().isEmpty() ? null : exchange(config);
		String queueName = config.queueName().isEmpty() ? streamName : config.queueName();
		this.queue = new Queue(queueName, config.durable(), false, config.autoDelete(),
				config.queue().toArguments(config.queueType()));
		this.bindings = (this.exchange != null) ? bindings(queueName, this.exchange.getName()) : List.of();
		this.retryQueues = new RetryQueues(queueName, config);
	}

	private List<Binding> bindings(String queueName, String exchangeName) {
		List<String> keys = this.config.bindingKeys().isEmpty() ? List.of(bindingKey()) : this.config.bindingKeys();
		Map<String, Object> arguments = this.config.bindingArguments().isEmpty() ? null
				: this.config.bindingArguments();
		return keys.stream()
			.map((key) -> new Binding(queueName, Binding.DestinationType.QUEUE, exchangeName, key, arguments))
			.toList();
	}

	private static Exchange exchange(RabbitConfig config) {
		String name = config.exchangeName();
		return switch (config.exchangeType()) {
			case DIRECT -> new DirectExchange(name, config.durable(), config.autoDelete());
			case TOPIC -> new TopicExchange(name, config.durable(), config.autoDelete());
			case FANOUT -> new FanoutExchange(name, config.durable(), config.autoDelete());
			case HEADERS -> new HeadersExchange(name, config.durable(), config.autoDelete());
		};
	}

	/**
	 * The topology of a client.
	 * @param streamName the client's stream name
	 * @param config the client's configuration
	 * @return the topology
	 */
	public static RabbitTopology of(String streamName, RabbitConfig config) {
		Objects.requireNonNull(streamName, "streamName");
		if (streamName.isBlank()) {
			throw new IllegalArgumentException("The stream name must not be empty: it names the client's connection "
					+ "and is the fallback queue name and routing key");
		}
		return new RabbitTopology(streamName, config);
	}

	/**
	 * The stream name: the client's identity.
	 * @return the stream name
	 */
	public String streamName() {
		return this.streamName;
	}

	/**
	 * The exchange to publish to.
	 * @return the exchange name, empty for the default exchange
	 */
	public String exchangeName() {
		return this.config.exchangeName();
	}

	/**
	 * The routing key of a send without one of its own: the configured routing key, else
	 * the stream name; through the default exchange, the queue name.
	 * @return the routing key
	 */
	public String defaultRoutingKey() {
		if (this.exchange == null) {
			return this.queue.getName();
		}
		return this.config.routingKey().isEmpty() ? this.streamName : this.config.routingKey();
	}

	/**
	 * The key the queue is bound with unless binding keys are configured: the routing key
	 * (or stream name); empty for fanout and headers exchanges, which do not use it.
	 * @return the binding key
	 */
	public String bindingKey() {
		return switch (this.config.exchangeType()) {
			case FANOUT, HEADERS -> "";
			default -> this.config.routingKey().isEmpty() ? this.streamName : this.config.routingKey();
		};
	}

	/**
	 * The queue the client consumes from.
	 * @return the queue name
	 */
	public String queueName() {
		return this.queue.getName();
	}

	/**
	 * Whether the queue is declared on connect (the configuration names it) rather than
	 * when consumption starts.
	 * @return whether the queue is part of {@link #declarables()}
	 */
	public boolean declaresQueueOnConnect() {
		return !this.config.queueName().isEmpty();
	}

	public @Nullable Exchange exchange() {
		return this.exchange;
	}

	public Queue queue() {
		return this.queue;
	}

	/**
	 * The queue's bindings to the exchange: one per binding key; none without an
	 * exchange.
	 * @return the bindings
	 */
	public List<Binding> bindings() {
		return this.bindings;
	}

	/**
	 * The queues the retry policy and the dead-letter queue need.
	 * @return the retry queues
	 */
	public RetryQueues retryQueues() {
		return this.retryQueues;
	}

	/**
	 * What to declare on connect: the exchange, and the queue with its binding when the
	 * configuration names a queue. A send-only client without a queue name declares no
	 * queue, so a fanout publisher leaves none behind.
	 * @return the declarables
	 */
	public Declarables declarables() {
		List<Declarable> declarables = new ArrayList<>(3);
		if (this.exchange != null) {
			declarables.add(this.exchange);
		}
		if (declaresQueueOnConnect()) {
			declarables.addAll(consumerDeclarables().getDeclarables());
		}
		return new Declarables(declarables);
	}

	/**
	 * What to declare before consuming: the queue and its bindings.
	 * @return the declarables
	 */
	public Declarables consumerDeclarables() {
		List<Declarable> declarables = new ArrayList<>(1 + this.bindings.size());
		declarables.add(this.queue);
		declarables.addAll(this.bindings);
		return new Declarables(declarables);
	}

}
