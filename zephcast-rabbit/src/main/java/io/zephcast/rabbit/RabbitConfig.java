package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;

/**
 * How a {@link RabbitClient} connects and what it declares. Immutable and valid: create
 * one with {@link #builder()}; construction refuses values that cannot work, naming the
 * setting ({@link InvalidRabbitConfigException}). Empty names mean "not set": the client
 * then falls back to its stream name (for the queue and the routing key) or to the
 * default exchange.
 *
 * @param url the broker URL, {@code amqp://user:password@host:port/vhost} or
 * {@code amqps://...}; it may hold credentials: log {@link #maskedUrl()} instead
 * @param queueName the queue to declare and consume from; empty to use the client's
 * stream name
 * @param exchangeName the exchange to declare and publish to; empty for RabbitMQ's
 * default exchange
 * @param routingKey the routing key for sends and the binding key of the queue; empty to
 * use the client's stream name
 * @param exchangeType the exchange type
 * @param durable whether the exchange and queue survive a broker restart; also makes
 * messages persistent
 * @param autoDelete whether the broker deletes the queue (and exchange) once its last
 * consumer (or binding) is gone
 * @param queueType classic (default) or quorum (replicated over a cluster)
 * @param queue the queue's optional arguments: TTL, length limits, dead-lettering and
 * more
 * @param bindingKeys the keys the queue is bound with, when it needs several; empty to
 * bind with the routing key
 * @param bindingArguments the arguments of the queue's binding: for a headers exchange,
 * the headers to match and {@code x-match}
 * @param declare whether the client declares its topology, only checks it, or leaves it
 * alone
 * @param prefetchCount how many unacknowledged messages the broker hands each consumer at
 * once, 1 to 65535
 * @param concurrency how many consumers (each with its own channel) the client runs on
 * its queue, at least 1
 * @param ssl whether to connect over TLS; an {@code amqps://} URL turns it on too
 * @param sslOptions TLS options such as {@code trust-store} or {@code verify-hostname};
 * see {@link RabbitSslOptions} for the keys
 * @param shutdownTimeout how long {@link RabbitClient#close()} waits for messages handed
 * out to be acked and for outstanding publisher confirms
 * @param confirmTimeout how long a send may wait for the broker's confirm before its
 * future fails: the bound on a send whose connection silently died or whose broker blocks
 * publishing
 * @param failFast whether {@link RabbitClient#connect()} fails when the broker cannot be
 * reached (default); when false it returns, and the client connects, declares and starts
 * its consumers in the background as soon as the broker answers
 * @param retry how often and how far apart a message whose handling failed is delivered
 * again before it is dead-lettered
 * @param deadLetterQueue whether the client declares a dead-letter queue
 * {@code <queue>.dlq} for the messages that used up their attempts (when the queue has no
 * dead-letter exchange of its own)
 * @param connection how the broker is reached beyond the URL: the addresses of a
 * cluster's nodes, and the connection's timeouts
 * @param ackCoalescing whether the acks of consecutive messages may be sent as one
 * (opt-in; off by default: every ack is sent at once)
 * @param publisher how sends are bounded: how many may await their confirm, how long a
 * send waits for room, and the largest body
 */
public record RabbitConfig(String url, String queueName, String exchangeName, String routingKey,
		ExchangeType exchangeType, boolean durable, boolean autoDelete, QueueType queueType, QueueArguments queue,
		List<String> bindingKeys, Map<String, Object> bindingArguments, DeclareMode declare, int prefetchCount,
		int concurrency, boolean ssl, Map<String, String> sslOptions, Duration shutdownTimeout, Duration confirmTimeout,
		boolean failFast, RetryPolicy retry, boolean deadLetterQueue, ConnectionOptions connection,
		AckCoalescing ackCoalescing, PublisherOptions publisher) {

	/** The URL used when none is given: the local broker with RabbitMQ's default user. */
	public static final String DEFAULT_URL = "amqp://localhost:5672/";

	private static final int MAX_NAME_BYTES = 255;

	/**
	 * Validates the settings.
	 * @throws InvalidRabbitConfigException naming the first setting that cannot work
	 */
	public RabbitConfig {
		Objects.requireNonNull(url, "url");
		Objects.requireNonNull(queueName, "queueName");
		Objects.requireNonNull(exchangeName, "exchangeName");
		Objects.requireNonNull(routingKey, "routingKey");
		Objects.requireNonNull(exchangeType, "exchangeType");
		Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
		Objects.requireNonNull(confirmTimeout, "confirmTimeout");
		Objects.requireNonNull(queueType, "queueType");
		Objects.requireNonNull(queue, "queue");
		Objects.requireNonNull(declare, "declare");
		Objects.requireNonNull(retry, "retry");
		Objects.requireNonNull(connection, "connection");
		Objects.requireNonNull(ackCoalescing, "ackCoalescing");
		Objects.requireNonNull(publisher, "publisher");
		sslOptions = Collections.unmodifiableMap(new LinkedHashMap<>(sslOptions));
		bindingKeys = List.copyOf(bindingKeys);
		bindingArguments = Collections.unmodifiableMap(new LinkedHashMap<>(bindingArguments));
		AmqpUrl parsed;
		try {
			parsed = AmqpUrl.parse(url);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRabbitConfigException("url", AmqpUrl.mask(url), ex.getMessage());
		}
		checkName("queueName", queueName);
		checkName("exchangeName", exchangeName);
		checkName("routingKey", routingKey);
		if (exchangeName.toLowerCase(Locale.ROOT).startsWith("amq.")) {
			throw new InvalidRabbitConfigException("exchangeName", exchangeName,
					"names starting with 'amq.' are reserved by RabbitMQ");
		}
		if (exchangeName.isEmpty() && exchangeType != ExchangeType.DIRECT) {
			throw new InvalidRabbitConfigException("exchangeType", exchangeType,
					"a " + exchangeType + " exchange needs an exchangeName (without one, messages go "
							+ "through RabbitMQ's default direct exchange)");
		}
		if (prefetchCount < 1 || prefetchCount > 65535) {
			throw new InvalidRabbitConfigException("prefetchCount", prefetchCount,
					"must be between 1 and 65535 (it bounds the unacknowledged messages a consumer holds)");
		}
		if (concurrency < 1) {
			throw new InvalidRabbitConfigException("concurrency", concurrency, "must be at least 1");
		}
		if (shutdownTimeout.isNegative()) {
			throw new InvalidRabbitConfigException("shutdownTimeout", shutdownTimeout, "must not be negative");
		}
		if (confirmTimeout.isNegative() || confirmTimeout.isZero()) {
			throw new InvalidRabbitConfigException("confirmTimeout", confirmTimeout, "must be positive");
		}
		RabbitSslOptions.validate(sslOptions, ssl || parsed.tls() || connection.usesTls());
		TopologyChecks.check(exchangeName, exchangeType, durable, autoDelete, queueType, queue, bindingKeys,
				bindingArguments);
		TopologyChecks.checkDeliveryLimit(queue, retry);
	}

	private static void checkName(String setting, String value) {
		if (value.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
			throw new InvalidRabbitConfigException(setting, value, "must be at most 255 bytes long");
		}
	}

	/**
	 * A builder with the defaults: {@value #DEFAULT_URL}, a direct exchange, a classic
	 * queue without arguments, durable, not auto-delete, declared on connect, prefetch 1,
	 * one consumer, no TLS, 10 s shutdown timeout, 30 s confirm timeout, fail fast,
	 * {@link RetryPolicy#DEFAULT 3 attempts 1 s and 2 s apart}, then a dead-letter queue,
	 * {@link ConnectionOptions#DEFAULTS}, every ack sent at once
	 * ({@link AckCoalescing#OFF}), and {@link PublisherOptions#DEFAULTS} (10,000 sends in
	 * flight, 5 s wait for room, bodies up to 16 MiB).
	 * @return a new builder
	 */
	public static RabbitConfigBuilder builder() {
		return new RabbitConfigBuilder();
	}

	/**
	 * A builder that starts from this configuration.
	 * @return a new builder holding this configuration's values
	 */
	public RabbitConfigBuilder toBuilder() {
		return new RabbitConfigBuilder(this);
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
	 * The settings with the URL's credentials and the TLS passwords masked.
	 */
	@Override
	public String toString() {
		return "RabbitConfig[url=" + maskedUrl() + ", queueName=" + this.queueName + ", exchangeName="
				+ this.exchangeName + ", routingKey=" + this.routingKey + ", exchangeType=" + this.exchangeType
				+ ", durable=" + this.durable + ", autoDelete=" + this.autoDelete + ", queueType=" + this.queueType
				+ ", queue=" + this.queue + ", bindingKeys=" + this.bindingKeys + ", bindingArguments="
				+ this.bindingArguments + ", declare=" + this.declare + ", prefetchCount=" + this.prefetchCount
				+ ", concurrency=" + this.concurrency + ", ssl=" + this.ssl + ", sslOptions="
				+ RabbitSslOptions.masked(this.sslOptions) + ", shutdownTimeout=" + this.shutdownTimeout
				+ ", confirmTimeout=" + this.confirmTimeout + ", failFast=" + this.failFast + ", retry=" + this.retry
				+ ", deadLetterQueue=" + this.deadLetterQueue + ", connection=" + this.connection + ", ackCoalescing="
				+ this.ackCoalescing + ", publisher=" + this.publisher + "]";
	}

}
