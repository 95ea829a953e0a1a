package io.zephcast.rabbit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;

/**
 * Builds a {@link RabbitConfig}; every setter has the default named on
 * {@link RabbitConfig#builder()}.
 */
public final class RabbitConfigBuilder {

	private String url = RabbitConfig.DEFAULT_URL;

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

	RabbitConfigBuilder() {
	}

	RabbitConfigBuilder(RabbitConfig config) {
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

	public RabbitConfigBuilder url(String url) {
		this.url = Objects.requireNonNull(url, "url");
		return this;
	}

	public RabbitConfigBuilder queueName(@Nullable String queueName) {
		this.queueName = (queueName != null) ? queueName : "";
		return this;
	}

	public RabbitConfigBuilder exchangeName(@Nullable String exchangeName) {
		this.exchangeName = (exchangeName != null) ? exchangeName : "";
		return this;
	}

	public RabbitConfigBuilder routingKey(@Nullable String routingKey) {
		this.routingKey = (routingKey != null) ? routingKey : "";
		return this;
	}

	public RabbitConfigBuilder exchangeType(ExchangeType exchangeType) {
		this.exchangeType = Objects.requireNonNull(exchangeType, "exchangeType");
		return this;
	}

	/**
	 * Sets the exchange type by the name the Python zephcast uses.
	 * @param exchangeType "direct", "topic", "fanout" or "headers"
	 * @return this builder
	 * @throws InvalidRabbitConfigException for any other name
	 */
	public RabbitConfigBuilder exchangeType(String exchangeType) {
		try {
			this.exchangeType = ExchangeType.of(Objects.requireNonNull(exchangeType, "exchangeType"));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRabbitConfigException("exchangeType", exchangeType,
					"allowed values are " + ExchangeType.allowedValues());
		}
		return this;
	}

	public RabbitConfigBuilder durable(boolean durable) {
		this.durable = durable;
		return this;
	}

	public RabbitConfigBuilder autoDelete(boolean autoDelete) {
		this.autoDelete = autoDelete;
		return this;
	}

	public RabbitConfigBuilder queueType(QueueType queueType) {
		this.queueType = Objects.requireNonNull(queueType, "queueType");
		return this;
	}

	/**
	 * The queue's optional arguments.
	 * @param queue the arguments, e.g.
	 * {@code QueueArguments.builder().maxLength(10_000L).build()}
	 * @return this builder
	 */
	public RabbitConfigBuilder queue(QueueArguments queue) {
		this.queue = Objects.requireNonNull(queue, "queue");
		return this;
	}

	/**
	 * Binds the queue with several keys instead of the routing key, e.g.
	 * {@code orders.created} and {@code orders.updated}; sends still use the routing key.
	 * @param bindingKeys the binding keys, empty to bind with the routing key
	 * @return this builder
	 */
	public RabbitConfigBuilder bindingKeys(List<String> bindingKeys) {
		this.bindingKeys = List.copyOf(bindingKeys);
		return this;
	}

	/**
	 * The arguments of the queue's binding; for a headers exchange the headers a message
	 * must carry, and {@code x-match} ({@code all} or {@code any}).
	 * @param bindingArguments the arguments
	 * @return this builder
	 */
	public RabbitConfigBuilder bindingArguments(Map<String, ?> bindingArguments) {
		this.bindingArguments = new LinkedHashMap<>(bindingArguments);
		return this;
	}

	public RabbitConfigBuilder declare(DeclareMode declare) {
		this.declare = Objects.requireNonNull(declare, "declare");
		return this;
	}

	public RabbitConfigBuilder prefetchCount(int prefetchCount) {
		this.prefetchCount = prefetchCount;
		return this;
	}

	public RabbitConfigBuilder concurrency(int concurrency) {
		this.concurrency = concurrency;
		return this;
	}

	public RabbitConfigBuilder ssl(boolean ssl) {
		this.ssl = ssl;
		return this;
	}

	public RabbitConfigBuilder sslOptions(Map<String, String> sslOptions) {
		this.sslOptions.clear();
		this.sslOptions.putAll(sslOptions);
		return this;
	}

	public RabbitConfigBuilder sslOption(String key, String value) {
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
	public RabbitConfigBuilder sslBundle(@Nullable String bundle) {
		return typedSslOption(RabbitSslOptions.BUNDLE, bundle);
	}

	/**
	 * The trust store with the CA certificates to trust.
	 * @param location a path, {@code file:} or {@code classpath:} URL, or {@code null} to
	 * use the JVM's trust store
	 * @return this builder
	 */
	public RabbitConfigBuilder trustStore(@Nullable String location) {
		return typedSslOption(RabbitSslOptions.TRUST_STORE, location);
	}

	public RabbitConfigBuilder trustStorePassword(@Nullable String password) {
		return typedSslOption(RabbitSslOptions.TRUST_STORE_PASSWORD, password);
	}

	/**
	 * The type of the trust store.
	 * @param type PKCS12 (default) or JKS, or {@code null} for the default
	 * @return this builder
	 */
	public RabbitConfigBuilder trustStoreType(@Nullable String type) {
		return typedSslOption(RabbitSslOptions.TRUST_STORE_TYPE, type);
	}

	/**
	 * The key store with the client certificate and key, for mutual TLS.
	 * @param location a path, {@code file:} or {@code classpath:} URL, or {@code null}
	 * for none
	 * @return this builder
	 */
	public RabbitConfigBuilder keyStore(@Nullable String location) {
		return typedSslOption(RabbitSslOptions.KEY_STORE, location);
	}

	public RabbitConfigBuilder keyStorePassword(@Nullable String password) {
		return typedSslOption(RabbitSslOptions.KEY_STORE_PASSWORD, password);
	}

	/**
	 * The type of the key store.
	 * @param type PKCS12 (default) or JKS, or {@code null} for the default
	 * @return this builder
	 */
	public RabbitConfigBuilder keyStoreType(@Nullable String type) {
		return typedSslOption(RabbitSslOptions.KEY_STORE_TYPE, type);
	}

	/**
	 * The TLS protocol of the SSL context.
	 * @param protocol TLS (default), TLSv1.3 or TLSv1.2, or {@code null} for the default
	 * @return this builder
	 */
	public RabbitConfigBuilder sslProtocol(@Nullable String protocol) {
		return typedSslOption(RabbitSslOptions.PROTOCOL, protocol);
	}

	/**
	 * Whether the server certificate must name the host connected to.
	 * @param verifyHostname true (default) or false, or {@code null} for the default
	 * @return this builder
	 */
	public RabbitConfigBuilder verifyHostname(@Nullable Boolean verifyHostname) {
		return typedSslOption(RabbitSslOptions.VERIFY_HOSTNAME,
				(verifyHostname != null) ? verifyHostname.toString() : null);
	}

	// the typed setters share the map the string keys fill, so that validation and
	// error messages (naming "sslOptions.<key>") stay in one place
	private RabbitConfigBuilder typedSslOption(String key, @Nullable String value) {
		if (value == null) {
			this.sslOptions.remove(key);
		}
		else {
			this.sslOptions.put(key, value);
		}
		return this;
	}

	public RabbitConfigBuilder shutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
		return this;
	}

	public RabbitConfigBuilder confirmTimeout(Duration confirmTimeout) {
		this.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
		return this;
	}

	public RabbitConfigBuilder failFast(boolean failFast) {
		this.failFast = failFast;
		return this;
	}

	public RabbitConfigBuilder retry(RetryPolicy retry) {
		this.retry = Objects.requireNonNull(retry, "retry");
		return this;
	}

	public RabbitConfigBuilder deadLetterQueue(boolean deadLetterQueue) {
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
	public RabbitConfigBuilder ackCoalescing(AckCoalescing ackCoalescing) {
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
	public RabbitConfigBuilder publisher(PublisherOptions publisher) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
		return this;
	}

	/**
	 * Sets all the connection options at once.
	 * @param connection the options
	 * @return this builder
	 */
	public RabbitConfigBuilder connection(ConnectionOptions connection) {
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
	public RabbitConfigBuilder addresses(String... addresses) {
		this.connection.addresses(addresses);
		return this;
	}

	/**
	 * The order the addresses are tried in.
	 * @param addressShuffleMode none, random or inorder
	 * @return this builder
	 * @see ConnectionOptions#addressShuffleMode()
	 */
	public RabbitConfigBuilder addressShuffleMode(AddressShuffleMode addressShuffleMode) {
		this.connection.addressShuffleMode(addressShuffleMode);
		return this;
	}

	public RabbitConfigBuilder requestedHeartbeat(Duration requestedHeartbeat) {
		this.connection.requestedHeartbeat(requestedHeartbeat);
		return this;
	}

	public RabbitConfigBuilder connectionTimeout(Duration connectionTimeout) {
		this.connection.connectionTimeout(connectionTimeout);
		return this;
	}

	public RabbitConfigBuilder channelRpcTimeout(Duration channelRpcTimeout) {
		this.connection.channelRpcTimeout(channelRpcTimeout);
		return this;
	}

	/**
	 * Validates the settings and builds the configuration.
	 * @return the configuration
	 * @throws InvalidRabbitConfigException naming the first setting that cannot work
	 */
	public RabbitConfig build() {
		return new RabbitConfig(this.url, this.queueName, this.exchangeName, this.routingKey, this.exchangeType,
				this.durable, this.autoDelete, this.queueType, this.queue, this.bindingKeys, this.bindingArguments,
				this.declare, this.prefetchCount, this.concurrency, this.ssl, this.sslOptions, this.shutdownTimeout,
				this.confirmTimeout, this.failFast, this.retry, this.deadLetterQueue, this.connection.build(),
				this.ackCoalescing, this.publisher);
	}

}
