package io.zephcast.rabbit.internal;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Publisher;
import com.rabbitmq.client.amqp.PublisherBuilder;
import com.rabbitmq.client.amqp.Resource;
import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

/**
 * The publisher links of an AMQP 1.0 client: one without a target, whose messages carry
 * their address (any exchange and routing key), and one attached to the stream's default
 * address ({@code /exchanges/<exchange>/<key>}, or {@code /queues/<queue>} through the
 * default exchange) for the sends without a routing key of their own: the broker resolves
 * that address once, at attach, instead of once per message, and the client builds no
 * address per message.
 * <p>
 * RabbitMQ 4.0 refuses a link to a missing exchange or queue by ending the session, which
 * every link of the connection shares: the default-address link is attached only when the
 * client declared or verified that address on the connection just before ({@code declare}
 * on or verify, and the queue named when sending through the default exchange). Otherwise
 * every send goes through the link without a target, whose sends to a missing address
 * fail one by one, as before. If the broker detaches the default-address link (its
 * exchange or queue deleted), sends fall back to the link without a target until the next
 * repair attaches it again.
 */
final class Amqp10PublisherLinks {

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private volatile @Nullable Publisher anonymous;

	private volatile @Nullable Publisher fixed;

	/** The links the client closed for good, to replace by {@link #reopenIfLost}. */
	private volatile @Nullable Publisher lostAnonymous;

	private volatile @Nullable Publisher lostFixed;

	Amqp10PublisherLinks(RabbitConfig config, RabbitTopology topology) {
		this.config = config;
		this.topology = topology;
	}

	/** Attaches the links unless attached: after the topology was declared. */
	synchronized void open(Connection connection) {
		if (this.anonymous == null) {
			attach(connection);
		}
	}

	/** Whether the client closed a current link for good. */
	boolean isLost() {
		Publisher currentAnonymous = this.anonymous;
		Publisher currentFixed = this.fixed;
		return (currentAnonymous != null && this.lostAnonymous == currentAnonymous)
				|| (currentFixed != null && this.lostFixed == currentFixed);
	}

	/** Attaches new links if the client closed one for good. */
	synchronized void reopenIfLost(Connection connection) {
		if (isLost()) {
			reopen(connection);
		}
	}

	/** Moves to new links on the connection. */
	synchronized void reopen(Connection connection) {
		attach(connection);
	}

	/**
	 * Both built first: if either fails, the old ones stay (lost) and the next repair
	 * tries again.
	 */
	private void attach(Connection connection) {
		Publisher newAnonymous = builder(connection).build();
		Publisher newFixed = null;
		if (attachesFixed()) {
			try {
				newFixed = fixedBuilder(connection).build();
			}
			catch (RuntimeException ex) {
				closeQuietly(newAnonymous);
				throw ex;
			}
		}
		this.anonymous = newAnonymous;
		this.fixed = newFixed;
		this.lostAnonymous = null;
		this.lostFixed = null;
	}

	/** Whether the default address was declared or verified on connect. */
	private boolean attachesFixed() {
		if (this.config.declare() == DeclareMode.OFF) {
			return false;
		}
		return !this.topology.exchangeName().isEmpty() || this.topology.declaresQueueOnConnect();
	}

	private PublisherBuilder builder(Connection connection) {
		return connection.publisherBuilder()
			.publishTimeout(this.config.publisher().maxBlock())
			.listeners(this::linkState);
	}

	private PublisherBuilder fixedBuilder(Connection connection) {
		PublisherBuilder builder = builder(connection);
		String exchange = this.topology.exchangeName();
		String routingKey = this.topology.defaultRoutingKey();
		if (exchange.isEmpty()) {
			return builder.queue(routingKey);
		}
		builder.exchange(exchange);
		return routingKey.isEmpty() ? builder : builder.key(routingKey);
	}

	/** On the client's thread: a link closed while it is a current one is lost. */
	private void linkState(Resource.Context context) {
		if (context.currentState() != Resource.State.CLOSED) {
			return;
		}
		if (context.resource() == this.anonymous) {
			this.lostAnonymous = (Publisher) context.resource();
		}
		else if (context.resource() == this.fixed) {
			this.lostFixed = (Publisher) context.resource();
		}
	}

	/** The link without a target, {@code null} when not open. */
	@Nullable Publisher anonymous() {
		return this.anonymous;
	}

	/**
	 * The link to the default address, {@code null} when there is none or the client
	 * closed it.
	 */
	@Nullable Publisher toDefaultAddress() {
		Publisher current = this.fixed;
		return (current != null && this.lostFixed != current) ? current : null;
	}

	/** Closes the links. */
	synchronized void close() {
		Publisher currentAnonymous = this.anonymous;
		Publisher currentFixed = this.fixed;
		this.anonymous = null;
		this.fixed = null;
		closeQuietly(currentFixed);
		closeQuietly(currentAnonymous);
	}

	private static void closeQuietly(@Nullable Publisher link) {
		if (link != null) {
			try {
				link.close();
			}
			catch (RuntimeException ex) {
				// the connection closes it anyway
			}
		}
	}

}
