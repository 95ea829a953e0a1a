package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.zephcast.rabbit.internal.AmqpUrl;
import io.zephcast.rabbit.internal.TopologyChecks;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;

/**
 * How a {@link RabbitClient} connects and what it declares. Immutable and valid: create
 * one with {@link #builder()}; {@link Builder#build()} refuses values that cannot work,
 * naming the setting ({@link InvalidRabbitConfigException}). Empty names mean "not set":
 * the client then falls back to its stream name (for the queue and the routing key) or to
 * the default exchange.
 * <p>
 * A class with a builder rather than a record, so that a new setting never breaks a
 * caller: there is no public constructor with positional arguments.
 */
public final class RabbitConfig {

	/** The URL used when none is given: the local broker with RabbitMQ's default user. */
	public static final String DEFAULT_URL = "amqp://localhost:5672/";

	private static final int MAX_NAME_BYTES = 255;

	private final String url;

	private final String queueName;

	private final String exchangeName;

	private final String routingKey;

	private final ExchangeType exchangeType;

	private final boolean durable;

	private final boolean autoDelete;

	private final QueueType queueType;

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

	private RabbitConfig(Builder builder) {
		String url = builder.url;
		String queueName = builder.queueName;
		String exchangeName = builder.exchangeName;
		String routingKey = builder.routingKey;
		ExchangeType exchangeType = builder.exchangeType;
		boolean durable = builder.durable;
		boolean autoDelete = builder.autoDelete;
		QueueType queueType = builder.queueType;
		QueueArguments queue = builder.queue;
		List<String> bindingKeys = builder.bindingKeys;
		Map<String, Object> bindingArguments = builder.bindingArguments;
		DeclareMode declare = builder.declare;
		int prefetchCount = builder.prefetchCount;
		int concurrency = builder.concurrency;
		boolean ssl = builder.ssl;
		Map<String, String> sslOptions = builder.sslOptions;
		Duration shutdownTimeout = builder.shutdownTimeout;
		Duration confirmTimeout = builder.confirmTimeout;
		boolean failFast = builder.failFast;
		RetryPolicy retry = builder.retry;
		boolean deadLetterQueue = builder.deadLetterQueue;
		ConnectionOptions connection = builder.connection.build();
		AckCoalescing ackCoalescing = builder.ackCoalescing;
		PublisherOptions publisher = builder.publisher;
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
		this.url = url;
		this.queueName = queueName;
		this.exchangeName = exchangeName;
		this.routingKey = routingKey;
		this.exchangeType = exchangeType;
		this.durable = durable;
		this.autoDelete = autoDelete;
		this.queueType = queueType;
		this.queue = queue;
		this.bindingKeys = bindingKeys;
		this.bindingArguments = bindingArguments;
		this.declare = declare;
		this.prefetchCount = prefetchCount;
		this.concurrency = concurrency;
		this.ssl = ssl;
		this.sslOptions = sslOptions;
		this.shutdownTimeout = shutdownTimeout;
		this.confirmTimeout = confirmTimeout;
		this.failFast = failFast;
		this.retry = retry;
		this.deadLetterQueue = deadLetterQueue;
		this.connection = connection;
		this.ackCoalescing = ackCoalescing;
		this.publisher = publisher;
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
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * A builder that starts from this configuration.
	 * @return a new builder holding this configuration's values
	 */
	public Builder toBuilder() {
		return new Builder(this);
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

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof RabbitConfig that)) {
			return false;
		}
		return this.url.equals(that.url) && this.queueName.equals(that.queueName)
				&& this.exchangeName.equals(that.exchangeName) && this.routingKey.equals(that.routingKey)
				&& this.exchangeType.equals(that.exchangeType) && this.durable == that.durable
				&& this.autoDelete == that.autoDelete && this.queueType.equals(that.queueType)
				&& this.queue.equals(that.queue) && this.bindingKeys.equals(that.bindingKeys)
				&& this.bindingArguments.equals(that.bindingArguments) && this.declare.equals(that.declare)
				&& this.prefetchCount == that.prefetchCount && this.concurrency == that.concurrency
				&& this.ssl == that.ssl && this.sslOptions.equals(that.sslOptions)
				&& this.shutdownTimeout.equals(that.shutdownTimeout) && this.confirmTimeout.equals(that.confirmTimeout)
				&& this.failFast == that.failFast && this.retry.equals(that.retry)
				&& this.deadLetterQueue == that.deadLetterQueue && this.connection.equals(that.connection)
				&& this.ackCoalescing.equals(that.ackCoalescing) && this.publisher.equals(that.publisher);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.url, this.queueName, this.exchangeName, this.routingKey, this.exchangeType,
				this.durable, this.autoDelete, this.queueType, this.queue, this.bindingKeys, this.bindingArguments,
				this.declare, this.prefetchCount, this.concurrency, this.ssl, this.sslOptions, this.shutdownTimeout,
				this.confirmTimeout, this.failFast, this.retry, this.deadLetterQueue, this.connection,
				this.ackCoalescing, this.publisher);
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

	/**
	 * Builds a {@link RabbitConfig}; every setter has the default named on
	 * {@link RabbitConfig#builder()}.
	 */
	public static final class Builder {

		private String url = DEFAULT_URL;

		private String queueName = "";

		private String exchangeName = "";

		private String routingKey = "";

		private ExchangeType exchangeType = ExchangeType.DIRECT;

		private boolean durable = true;

		private boolean autoDelete = false;

		private QueueType queueType = QueueType.CLASSIC;

		private QueueArguments queue = QueueArguments.NONE;

		private List<String> bindingKeys = List.of();

		private Map<String, Object> bindingArguments = Map.of();

		private DeclareMode declare = DeclareMode.ON;

		private int prefetchCount = 1;

		private int concurrency = 1;

		private boolean ssl = false;

		private final Map<String, String> sslOptions = new LinkedHashMap<>();

		private Duration shutdownTimeout = Duration.ofSeconds(10);

		private Duration confirmTimeout = Duration.ofSeconds(30);

		private boolean failFast = true;

		private RetryPolicy retry = RetryPolicy.DEFAULT;

		private boolean deadLetterQueue = true;

		private final ConnectionOptions.Builder connection = ConnectionOptions.builder();

		private AckCoalescing ackCoalescing = AckCoalescing.OFF;

		private PublisherOptions publisher = PublisherOptions.DEFAULTS;

		private Builder() {
		}

		private Builder(RabbitConfig config) {
			this.url = config.url();
			this.queueName = config.queueName();
			this.exchangeName = config.exchangeName();
			this.routingKey = config.routingKey();
			this.exchangeType = config.exchangeType();
			this.durable = config.durable();
			this.autoDelete = config.autoDelete();
			this.queueType = config.queueType();
			this.queue = config.queue();
			this.bindingKeys = config.bindingKeys();
			this.bindingArguments = config.bindingArguments();
			this.declare = config.declare();
			this.prefetchCount = config.prefetchCount();
			this.concurrency = config.concurrency();
			this.ssl = config.ssl();
			this.sslOptions.putAll(config.sslOptions());
			this.shutdownTimeout = config.shutdownTimeout();
			this.confirmTimeout = config.confirmTimeout();
			this.failFast = config.failFast();
			this.retry = config.retry();
			this.deadLetterQueue = config.deadLetterQueue();
			connection(config.connection());
			this.ackCoalescing = config.ackCoalescing();
			this.publisher = config.publisher();
		}

		public Builder url(String url) {
			this.url = Objects.requireNonNull(url, "url");
			return this;
		}

		public Builder queueName(@Nullable String queueName) {
			this.queueName = (queueName != null) ? queueName : "";
			return this;
		}

		public Builder exchangeName(@Nullable String exchangeName) {
			this.exchangeName = (exchangeName != null) ? exchangeName : "";
			return this;
		}

		public Builder routingKey(@Nullable String routingKey) {
			this.routingKey = (routingKey != null) ? routingKey : "";
			return this;
		}

		public Builder exchangeType(ExchangeType exchangeType) {
			this.exchangeType = Objects.requireNonNull(exchangeType, "exchangeType");
			return this;
		}

		/**
		 * Sets the exchange type by the name the Python zephcast uses.
		 * @param exchangeType "direct", "topic", "fanout" or "headers"
		 * @return this builder
		 * @throws InvalidRabbitConfigException for any other name
		 */
		public Builder exchangeType(String exchangeType) {
			try {
				this.exchangeType = ExchangeType.of(Objects.requireNonNull(exchangeType, "exchangeType"));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidRabbitConfigException("exchangeType", exchangeType,
						"allowed values are " + ExchangeType.allowedValues());
			}
			return this;
		}

		public Builder durable(boolean durable) {
			this.durable = durable;
			return this;
		}

		public Builder autoDelete(boolean autoDelete) {
			this.autoDelete = autoDelete;
			return this;
		}

		public Builder queueType(QueueType queueType) {
			this.queueType = Objects.requireNonNull(queueType, "queueType");
			return this;
		}

		/**
		 * The queue's optional arguments.
		 * @param queue the arguments, e.g.
		 * {@code QueueArguments.builder().maxLength(10_000L).build()}
		 * @return this builder
		 */
		public Builder queue(QueueArguments queue) {
			this.queue = Objects.requireNonNull(queue, "queue");
			return this;
		}

		/**
		 * Binds the queue with several keys instead of the routing key, e.g.
		 * {@code orders.created} and {@code orders.updated}; sends still use the routing
		 * key.
		 * @param bindingKeys the binding keys, empty to bind with the routing key
		 * @return this builder
		 */
		public Builder bindingKeys(List<String> bindingKeys) {
			this.bindingKeys = List.copyOf(bindingKeys);
			return this;
		}

		/**
		 * The arguments of the queue's binding; for a headers exchange the headers a
		 * message must carry, and {@code x-match} ({@code all} or {@code any}).
		 * @param bindingArguments the arguments
		 * @return this builder
		 */
		public Builder bindingArguments(Map<String, ?> bindingArguments) {
			this.bindingArguments = new LinkedHashMap<>(bindingArguments);
			return this;
		}

		public Builder declare(DeclareMode declare) {
			this.declare = Objects.requireNonNull(declare, "declare");
			return this;
		}

		public Builder prefetchCount(int prefetchCount) {
			this.prefetchCount = prefetchCount;
			return this;
		}

		public Builder concurrency(int concurrency) {
			this.concurrency = concurrency;
			return this;
		}

		public Builder ssl(boolean ssl) {
			this.ssl = ssl;
			return this;
		}

		public Builder sslOptions(Map<String, String> sslOptions) {
			this.sslOptions.clear();
			this.sslOptions.putAll(sslOptions);
			return this;
		}

		public Builder sslOption(String key, String value) {
			this.sslOptions.put(key, value);
			return this;
		}

		/**
		 * Takes the TLS context from a Spring Boot SSL bundle; needs the starter.
		 * @param bundle the bundle name ({@code spring.ssl.bundle.*}), or {@code null} to
		 * remove it
		 * @return this builder
		 * @see RabbitSslOptions#BUNDLE
		 */
		public Builder sslBundle(@Nullable String bundle) {
			return typedSslOption(RabbitSslOptions.BUNDLE, bundle);
		}

		/**
		 * The trust store with the CA certificates to trust.
		 * @param location a path, {@code file:} or {@code classpath:} URL, or
		 * {@code null} to use the JVM's trust store
		 * @return this builder
		 */
		public Builder trustStore(@Nullable String location) {
			return typedSslOption(RabbitSslOptions.TRUST_STORE, location);
		}

		public Builder trustStorePassword(@Nullable String password) {
			return typedSslOption(RabbitSslOptions.TRUST_STORE_PASSWORD, password);
		}

		/**
		 * The type of the trust store.
		 * @param type PKCS12 (default) or JKS, or {@code null} for the default
		 * @return this builder
		 */
		public Builder trustStoreType(@Nullable String type) {
			return typedSslOption(RabbitSslOptions.TRUST_STORE_TYPE, type);
		}

		/**
		 * The key store with the client certificate and key, for mutual TLS.
		 * @param location a path, {@code file:} or {@code classpath:} URL, or
		 * {@code null} for none
		 * @return this builder
		 */
		public Builder keyStore(@Nullable String location) {
			return typedSslOption(RabbitSslOptions.KEY_STORE, location);
		}

		public Builder keyStorePassword(@Nullable String password) {
			return typedSslOption(RabbitSslOptions.KEY_STORE_PASSWORD, password);
		}

		/**
		 * The type of the key store.
		 * @param type PKCS12 (default) or JKS, or {@code null} for the default
		 * @return this builder
		 */
		public Builder keyStoreType(@Nullable String type) {
			return typedSslOption(RabbitSslOptions.KEY_STORE_TYPE, type);
		}

		/**
		 * The TLS protocol of the SSL context.
		 * @param protocol TLS (default), TLSv1.3 or TLSv1.2, or {@code null} for the
		 * default
		 * @return this builder
		 */
		public Builder sslProtocol(@Nullable String protocol) {
			return typedSslOption(RabbitSslOptions.PROTOCOL, protocol);
		}

		/**
		 * Whether the server certificate must name the host connected to.
		 * @param verifyHostname true (default) or false, or {@code null} for the default
		 * @return this builder
		 */
		public Builder verifyHostname(@Nullable Boolean verifyHostname) {
			return typedSslOption(RabbitSslOptions.VERIFY_HOSTNAME,
					(verifyHostname != null) ? verifyHostname.toString() : null);
		}

		// the typed setters share the map the string keys fill, so that validation and
		// error messages (naming "sslOptions.<key>") stay in one place
		private Builder typedSslOption(String key, @Nullable String value) {
			if (value == null) {
				this.sslOptions.remove(key);
			}
			else {
				this.sslOptions.put(key, value);
			}
			return this;
		}

		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
			return this;
		}

		public Builder confirmTimeout(Duration confirmTimeout) {
			this.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
			return this;
		}

		public Builder failFast(boolean failFast) {
			this.failFast = failFast;
			return this;
		}

		public Builder retry(RetryPolicy retry) {
			this.retry = Objects.requireNonNull(retry, "retry");
			return this;
		}

		public Builder deadLetterQueue(boolean deadLetterQueue) {
			this.deadLetterQueue = deadLetterQueue;
			return this;
		}

		/**
		 * Lets the acks of consecutive messages be sent as one (opt-in).
		 * @param ackCoalescing how many acks may wait, and for how long;
		 * {@link AckCoalescing#OFF} sends every ack at once
		 * @return this builder
		 * @see AckCoalescing
		 */
		public Builder ackCoalescing(AckCoalescing ackCoalescing) {
			this.ackCoalescing = Objects.requireNonNull(ackCoalescing, "ackCoalescing");
			return this;
		}

		/**
		 * How sends are bounded, e.g.
		 * {@code PublisherOptions.DEFAULTS.withMaxInFlight(1_000)}.
		 * @param publisher the options
		 * @return this builder
		 * @see PublisherOptions
		 */
		public Builder publisher(PublisherOptions publisher) {
			this.publisher = Objects.requireNonNull(publisher, "publisher");
			return this;
		}

		/**
		 * Sets all the connection options at once.
		 * @param connection the options
		 * @return this builder
		 */
		public Builder connection(ConnectionOptions connection) {
			this.connection.addresses(connection.addresses())
				.addressShuffleMode(connection.addressShuffleMode())
				.requestedHeartbeat(connection.requestedHeartbeat())
				.connectionTimeout(connection.connectionTimeout())
				.channelRpcTimeout(connection.channelRpcTimeout());
			return this;
		}

		/**
		 * The nodes to connect to.
		 * @param addresses {@code host[:port]} each, or comma-separated lists of them
		 * @return this builder
		 * @see ConnectionOptions#addresses()
		 */
		public Builder addresses(String... addresses) {
			this.connection.addresses(addresses);
			return this;
		}

		/**
		 * The order the addresses are tried in.
		 * @param addressShuffleMode none, random or inorder
		 * @return this builder
		 * @see ConnectionOptions#addressShuffleMode()
		 */
		public Builder addressShuffleMode(AddressShuffleMode addressShuffleMode) {
			this.connection.addressShuffleMode(addressShuffleMode);
			return this;
		}

		public Builder requestedHeartbeat(Duration requestedHeartbeat) {
			this.connection.requestedHeartbeat(requestedHeartbeat);
			return this;
		}

		public Builder connectionTimeout(Duration connectionTimeout) {
			this.connection.connectionTimeout(connectionTimeout);
			return this;
		}

		public Builder channelRpcTimeout(Duration channelRpcTimeout) {
			this.connection.channelRpcTimeout(channelRpcTimeout);
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws InvalidRabbitConfigException naming the first setting that cannot work
		 */
		public RabbitConfig build() {
			return new RabbitConfig(this);
		}

	}

}
