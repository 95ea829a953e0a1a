package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.zephcast.rabbit.internal.AmqpUrl;
import org.jspecify.annotations.Nullable;

/**
 * The values of a {@link RabbitConfig}: its fields, accessors, equality and string form.
 * Package-private: {@link RabbitConfig} extends it and adds its builder, and its public
 * accessors are documented as {@link RabbitConfig}'s (the javadoc tool and the compiler
 * treat them so, as for {@code StringBuilder} and its package-private superclass). It
 * exists so that neither half is over 400 lines; it never names {@link RabbitConfig}, so
 * no cycle forms.
 */
abstract class RabbitConfigValues {

	private final String url;

	private final String queueName;

	private final String exchangeName;

	private final String routingKey;

	private final ExchangeType exchangeType;

	private final boolean durable;

	private final boolean autoDelete;

	private final QueueType queueType;

	private final Protocol protocol;

	private final QueueArguments queue;

	private final List<String> bindingKeys;

	private final Map<String, Object> bindingArguments;

	private final DeclareMode declare;

	private final int prefetchCount;

	private final int concurrency;

	private final boolean ssl;

	private final Map<String, String> sslOptions;

	private final Duration shutdownTimeout;

	private final Duration confirmTimeout;

	private final boolean failFast;

	private final RetryPolicy retry;

	private final boolean deadLetterQueue;

	private final ConnectionOptions connection;

	private final AckCoalescing ackCoalescing;

	private final PublisherOptions publisher;

	RabbitConfigValues(RabbitConfigDraft draft) {
		ConnectionOptions connection = draft.connection.build();
		draft.check(connection);
		this.url = draft.url;
		this.queueName = draft.queueName;
		this.exchangeName = draft.exchangeName;
		this.routingKey = draft.routingKey;
		this.exchangeType = draft.exchangeType;
		this.durable = draft.durable;
		this.autoDelete = draft.autoDelete;
		this.queueType = draft.queueType;
		this.protocol = draft.protocol;
		this.queue = draft.queue;
		this.bindingKeys = List.copyOf(draft.bindingKeys);
		this.bindingArguments = Collections.unmodifiableMap(new LinkedHashMap<>(draft.bindingArguments));
		this.declare = draft.declare;
		this.prefetchCount = draft.prefetchCount;
		this.concurrency = draft.concurrency;
		this.ssl = draft.ssl;
		this.sslOptions = Collections.unmodifiableMap(new LinkedHashMap<>(draft.sslOptions));
		this.shutdownTimeout = draft.shutdownTimeout;
		this.confirmTimeout = draft.confirmTimeout;
		this.failFast = draft.failFast;
		this.retry = draft.retry;
		this.deadLetterQueue = draft.deadLetterQueue;
		this.connection = connection;
		this.ackCoalescing = draft.ackCoalescing;
		this.publisher = draft.publisher;
	}

	/**
	 * The broker URL, {@code amqp://user:password@host:port/vhost} or
	 * {@code amqps://...}; it may hold credentials: log {@link #maskedUrl()} instead.
	 * @return the url setting
	 */
	public String url() {
		return this.url;
	}

	/**
	 * The queue to declare and consume from; empty to use the client's stream name.
	 * @return the queueName setting
	 */
	public String queueName() {
		return this.queueName;
	}

	/**
	 * The exchange to declare and publish to; empty for RabbitMQ's default exchange.
	 * @return the exchangeName setting
	 */
	public String exchangeName() {
		return this.exchangeName;
	}

	/**
	 * The routing key for sends and the binding key of the queue; empty to use the
	 * client's stream name.
	 * @return the routingKey setting
	 */
	public String routingKey() {
		return this.routingKey;
	}

	/**
	 * The exchange type.
	 * @return the exchangeType setting
	 */
	public ExchangeType exchangeType() {
		return this.exchangeType;
	}

	/**
	 * Whether the exchange and queue survive a broker restart; also makes messages
	 * persistent.
	 * @return the durable setting
	 */
	public boolean durable() {
		return this.durable;
	}

	/**
	 * Whether the broker deletes the queue (and exchange) once its last consumer (or
	 * binding) is gone.
	 * @return the autoDelete setting
	 */
	public boolean autoDelete() {
		return this.autoDelete;
	}

	/**
	 * Classic (default) or quorum (replicated over a cluster).
	 * @return the queueType setting
	 */
	public QueueType queueType() {
		return this.queueType;
	}

	/**
	 * The protocol the client speaks: AMQP 0-9-1 (default) or AMQP 1.0 (RabbitMQ 4).
	 * @return the protocol setting
	 */
	public Protocol protocol() {
		return this.protocol;
	}

	/**
	 * The queue's optional arguments: TTL, length limits, dead-lettering and more.
	 * @return the queue setting
	 */
	public QueueArguments queue() {
		return this.queue;
	}

	/**
	 * The keys the queue is bound with, when it needs several; empty to bind with the
	 * routing key.
	 * @return the bindingKeys setting
	 */
	public List<String> bindingKeys() {
		return this.bindingKeys;
	}

	/**
	 * The arguments of the queue's binding: for a headers exchange, the headers to match
	 * and {@code x-match}.
	 * @return the bindingArguments setting
	 */
	public Map<String, Object> bindingArguments() {
		return this.bindingArguments;
	}

	/**
	 * Whether the client declares its topology, only checks it, or leaves it alone.
	 * @return the declare setting
	 */
	public DeclareMode declare() {
		return this.declare;
	}

	/**
	 * How many unacknowledged messages the broker hands each consumer at once, 1 to
	 * 65535.
	 * @return the prefetchCount setting
	 */
	public int prefetchCount() {
		return this.prefetchCount;
	}

	/**
	 * How many consumers (each with its own channel) the client runs on its queue, at
	 * least 1.
	 * @return the concurrency setting
	 */
	public int concurrency() {
		return this.concurrency;
	}

	/**
	 * Whether to connect over TLS; an {@code amqps://} URL turns it on too.
	 * @return the ssl setting
	 */
	public boolean ssl() {
		return this.ssl;
	}

	/**
	 * TLS options such as {@code trust-store} or {@code verify-hostname}; see
	 * {@link RabbitSslOptions} for the keys.
	 * @return the sslOptions setting
	 */
	public Map<String, String> sslOptions() {
		return this.sslOptions;
	}

	/**
	 * How long {@link RabbitClient#close()} waits for messages handed out to be acked and
	 * for outstanding publisher confirms.
	 * @return the shutdownTimeout setting
	 */
	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * How long a send may wait for the broker's confirm before its future fails: the
	 * bound on a send whose connection silently died or whose broker blocks publishing.
	 * @return the confirmTimeout setting
	 */
	public Duration confirmTimeout() {
		return this.confirmTimeout;
	}

	/**
	 * Whether {@link RabbitClient#connect()} fails when the broker cannot be reached
	 * (default); when false it returns, and the client connects, declares and starts its
	 * consumers in the background as soon as the broker answers.
	 * @return the failFast setting
	 */
	public boolean failFast() {
		return this.failFast;
	}

	/**
	 * How often and how far apart a message whose handling failed is delivered again
	 * before it is dead-lettered.
	 * @return the retry setting
	 */
	public RetryPolicy retry() {
		return this.retry;
	}

	/**
	 * Whether the client declares a dead-letter queue {@code <queue>.dlq} for the
	 * messages that used up their attempts (when the queue has no dead-letter exchange of
	 * its own).
	 * @return the deadLetterQueue setting
	 */
	public boolean deadLetterQueue() {
		return this.deadLetterQueue;
	}

	/**
	 * How the broker is reached beyond the URL: the addresses of a cluster's nodes, and
	 * the connection's timeouts.
	 * @return the connection setting
	 */
	public ConnectionOptions connection() {
		return this.connection;
	}

	/**
	 * Whether the acks of consecutive messages may be sent as one (opt-in; off by
	 * default: every ack is sent at once).
	 * @return the ackCoalescing setting
	 */
	public AckCoalescing ackCoalescing() {
		return this.ackCoalescing;
	}

	/**
	 * How sends are bounded: how many may await their confirm, how long a send waits for
	 * room, and the largest body.
	 * @return the publisher setting
	 */
	public PublisherOptions publisher() {
		return this.publisher;
	}

	/**
	 * The URL without its user name and password, for messages and logs.
	 * @return the masked URL
	 */
	public String maskedUrl() {
		return AmqpUrl.mask(this.url);
	}

	/**
	 * Where the client connects, without user names and passwords, for messages and logs:
	 * the URL, or the addresses when they are set.
	 * @return the masked URL or addresses
	 */
	public String maskedAddresses() {
		return this.connection.addresses().isEmpty() ? maskedUrl() : this.connection.maskedAddresses();
	}

	/**
	 * Whether the connection uses TLS, from {@link #ssl()}, the URL scheme or an
	 * {@code amqps://} address.
	 * @return whether the connection is encrypted
	 */
	public boolean usesTls() {
		return this.ssl || AmqpUrl.parse(this.url).tls() || this.connection.usesTls();
	}

	/**
	 * A draft holding these values, for {@link RabbitConfig#toBuilder()}.
	 * @return a new draft
	 */
	RabbitConfigDraft toDraft() {
		RabbitConfigDraft draft = new RabbitConfigDraft();
		draft.url = this.url;
		draft.queueName = this.queueName;
		draft.exchangeName = this.exchangeName;
		draft.routingKey = this.routingKey;
		draft.exchangeType = this.exchangeType;
		draft.durable = this.durable;
		draft.autoDelete = this.autoDelete;
		draft.queueType = this.queueType;
		draft.protocol = this.protocol;
		draft.queue = this.queue;
		draft.bindingKeys = this.bindingKeys;
		draft.bindingArguments = this.bindingArguments;
		draft.declare = this.declare;
		draft.prefetchCount = this.prefetchCount;
		draft.concurrency = this.concurrency;
		draft.ssl = this.ssl;
		draft.sslOptions.putAll(this.sslOptions);
		draft.shutdownTimeout = this.shutdownTimeout;
		draft.confirmTimeout = this.confirmTimeout;
		draft.failFast = this.failFast;
		draft.retry = this.retry;
		draft.deadLetterQueue = this.deadLetterQueue;
		draft.connection(this.connection);
		draft.ackCoalescing = this.ackCoalescing;
		draft.publisher = this.publisher;
		return draft;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		if (other == null || other.getClass() != getClass()) {
			return false;
		}
		RabbitConfigValues that = (RabbitConfigValues) other;
		return this.url.equals(that.url) && this.queueName.equals(that.queueName)
				&& this.exchangeName.equals(that.exchangeName) && this.routingKey.equals(that.routingKey)
				&& this.exchangeType.equals(that.exchangeType) && this.durable == that.durable
				&& this.autoDelete == that.autoDelete && this.queueType.equals(that.queueType)
				&& this.protocol.equals(that.protocol) && this.queue.equals(that.queue)
				&& this.bindingKeys.equals(that.bindingKeys) && this.bindingArguments.equals(that.bindingArguments)
				&& this.declare.equals(that.declare) && this.prefetchCount == that.prefetchCount
				&& this.concurrency == that.concurrency && this.ssl == that.ssl
				&& this.sslOptions.equals(that.sslOptions) && this.shutdownTimeout.equals(that.shutdownTimeout)
				&& this.confirmTimeout.equals(that.confirmTimeout) && this.failFast == that.failFast
				&& this.retry.equals(that.retry) && this.deadLetterQueue == that.deadLetterQueue
				&& this.connection.equals(that.connection) && this.ackCoalescing.equals(that.ackCoalescing)
				&& this.publisher.equals(that.publisher);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.url, this.queueName, this.exchangeName, this.routingKey, this.exchangeType,
				this.durable, this.autoDelete, this.queueType, this.protocol, this.queue, this.bindingKeys,
				this.bindingArguments, this.declare, this.prefetchCount, this.concurrency, this.ssl, this.sslOptions,
				this.shutdownTimeout, this.confirmTimeout, this.failFast, this.retry, this.deadLetterQueue,
				this.connection, this.ackCoalescing, this.publisher);
	}

	/**
	 * The settings with the URL's credentials and the TLS passwords masked.
	 */
	@Override
	public String toString() {
		return "RabbitConfig[url=" + maskedUrl() + ", queueName=" + this.queueName + ", exchangeName="
				+ this.exchangeName + ", routingKey=" + this.routingKey + ", exchangeType=" + this.exchangeType
				+ ", durable=" + this.durable + ", autoDelete=" + this.autoDelete + ", queueType=" + this.queueType
				+ ", protocol=" + this.protocol + ", queue=" + this.queue + ", bindingKeys=" + this.bindingKeys
				+ ", bindingArguments=" + this.bindingArguments + ", declare=" + this.declare + ", prefetchCount="
				+ this.prefetchCount + ", concurrency=" + this.concurrency + ", ssl=" + this.ssl + ", sslOptions="
				+ RabbitSslOptions.masked(this.sslOptions) + ", shutdownTimeout=" + this.shutdownTimeout
				+ ", confirmTimeout=" + this.confirmTimeout + ", failFast=" + this.failFast + ", retry=" + this.retry
				+ ", deadLetterQueue=" + this.deadLetterQueue + ", connection=" + this.connection + ", ackCoalescing="
				+ this.ackCoalescing + ", publisher=" + this.publisher + "]";
	}

}
