package io.zephcast.rabbit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
public final class RabbitConfig extends RabbitConfigValues {

	/** The URL used when none is given: the local broker with RabbitMQ's default user. */
	public static final String DEFAULT_URL = RabbitConfigDraft.DEFAULT_URL;

	private RabbitConfig(RabbitConfigDraft draft) {
		super(draft);
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
	 * Builds a {@link RabbitConfig}; every setter has the default named on
	 * {@link RabbitConfig#builder()}.
	 */
	public static final class Builder {

		private final RabbitConfigDraft draft;

		private Builder() {
			this.draft = new RabbitConfigDraft();
		}

		private Builder(RabbitConfig config) {
			this.draft = config.toDraft();
		}

		/** Sets {@link RabbitConfig#url()}; default {@value RabbitConfig#DEFAULT_URL}. */
		public Builder url(String url) {
			this.draft.url = Objects.requireNonNull(url, "url");
			return this;
		}

		/**
		 * Sets {@link RabbitConfig#queueName()}; {@code null} or empty: the stream name.
		 */
		public Builder queueName(@Nullable String queueName) {
			this.draft.queueName = (queueName != null) ? queueName : "";
			return this;
		}

		/**
		 * Sets {@link RabbitConfig#exchangeName()}; {@code null} or empty: the default
		 * one.
		 */
		public Builder exchangeName(@Nullable String exchangeName) {
			this.draft.exchangeName = (exchangeName != null) ? exchangeName : "";
			return this;
		}

		/**
		 * Sets {@link RabbitConfig#routingKey()}; {@code null} or empty: the stream name.
		 */
		public Builder routingKey(@Nullable String routingKey) {
			this.draft.routingKey = (routingKey != null) ? routingKey : "";
			return this;
		}

		/** Sets {@link RabbitConfig#exchangeType()}; default direct. */
		public Builder exchangeType(ExchangeType exchangeType) {
			this.draft.exchangeType = Objects.requireNonNull(exchangeType, "exchangeType");
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
				this.draft.exchangeType = ExchangeType.of(Objects.requireNonNull(exchangeType, "exchangeType"));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidRabbitConfigException("exchangeType", exchangeType,
						"allowed values are " + ExchangeType.allowedValues());
			}
			return this;
		}

		/** Sets {@link RabbitConfig#durable()}; default true. */
		public Builder durable(boolean durable) {
			this.draft.durable = durable;
			return this;
		}

		/** Sets {@link RabbitConfig#autoDelete()}; default false. */
		public Builder autoDelete(boolean autoDelete) {
			this.draft.autoDelete = autoDelete;
			return this;
		}

		/** Sets {@link RabbitConfig#queueType()}; default classic. */
		public Builder queueType(QueueType queueType) {
			this.draft.queueType = Objects.requireNonNull(queueType, "queueType");
			return this;
		}

		/** Sets {@link RabbitConfig#protocol()}; default AMQP 0-9-1. */
		public Builder protocol(Protocol protocol) {
			this.draft.protocol = Objects.requireNonNull(protocol, "protocol");
			return this;
		}

		/**
		 * The queue's optional arguments.
		 * @param queue the arguments, e.g.
		 * {@code QueueArguments.builder().maxLength(10_000L).build()}
		 * @return this builder
		 */
		public Builder queue(QueueArguments queue) {
			this.draft.queue = Objects.requireNonNull(queue, "queue");
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
			this.draft.bindingKeys = List.copyOf(bindingKeys);
			return this;
		}

		/**
		 * The arguments of the queue's binding; for a headers exchange the headers a
		 * message must carry, and {@code x-match} ({@code all} or {@code any}).
		 * @param bindingArguments the arguments
		 * @return this builder
		 */
		public Builder bindingArguments(Map<String, ?> bindingArguments) {
			this.draft.bindingArguments = new LinkedHashMap<>(bindingArguments);
			return this;
		}

		/** Sets {@link RabbitConfig#declare()}; default {@link DeclareMode#ON}. */
		public Builder declare(DeclareMode declare) {
			this.draft.declare = Objects.requireNonNull(declare, "declare");
			return this;
		}

		/** Sets {@link RabbitConfig#prefetchCount()}; default 1. */
		public Builder prefetchCount(int prefetchCount) {
			this.draft.prefetchCount = prefetchCount;
			return this;
		}

		/** Sets {@link RabbitConfig#concurrency()}; default 1. */
		public Builder concurrency(int concurrency) {
			this.draft.concurrency = concurrency;
			return this;
		}

		/** Sets {@link RabbitConfig#ssl()}; default false. */
		public Builder ssl(boolean ssl) {
			this.draft.ssl = ssl;
			return this;
		}

		/** Replaces {@link RabbitConfig#sslOptions()}; keys: {@link RabbitSslOptions}. */
		public Builder sslOptions(Map<String, String> sslOptions) {
			this.draft.sslOptions.clear();
			this.draft.sslOptions.putAll(sslOptions);
			return this;
		}

		/**
		 * Sets one of {@link RabbitConfig#sslOptions()}; keys: {@link RabbitSslOptions}.
		 */
		public Builder sslOption(String key, String value) {
			this.draft.sslOptions.put(key, value);
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

		/** The trust store password, or {@code null} for none. */
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

		/** The key store password, or {@code null} for none. */
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
				this.draft.sslOptions.remove(key);
			}
			else {
				this.draft.sslOptions.put(key, value);
			}
			return this;
		}

		/** Sets {@link RabbitConfig#shutdownTimeout()}; default 10 s. */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.draft.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
			return this;
		}

		/** Sets {@link RabbitConfig#confirmTimeout()}; default 30 s. */
		public Builder confirmTimeout(Duration confirmTimeout) {
			this.draft.confirmTimeout = Objects.requireNonNull(confirmTimeout, "confirmTimeout");
			return this;
		}

		/** Sets {@link RabbitConfig#failFast()}; default true. */
		public Builder failFast(boolean failFast) {
			this.draft.failFast = failFast;
			return this;
		}

		/** Sets {@link RabbitConfig#retry()}; default {@link RetryPolicy#DEFAULT}. */
		public Builder retry(RetryPolicy retry) {
			this.draft.retry = Objects.requireNonNull(retry, "retry");
			return this;
		}

		/** Sets {@link RabbitConfig#deadLetterQueue()}; default true. */
		public Builder deadLetterQueue(boolean deadLetterQueue) {
			this.draft.deadLetterQueue = deadLetterQueue;
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
			this.draft.ackCoalescing = Objects.requireNonNull(ackCoalescing, "ackCoalescing");
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
			this.draft.publisher = Objects.requireNonNull(publisher, "publisher");
			return this;
		}

		/**
		 * Sets all the connection options at once.
		 * @param connection the options
		 * @return this builder
		 */
		public Builder connection(ConnectionOptions connection) {
			this.draft.connection(Objects.requireNonNull(connection, "connection"));
			return this;
		}

		/**
		 * The nodes to connect to.
		 * @param addresses {@code host[:port]} each, or comma-separated lists of them
		 * @return this builder
		 * @see ConnectionOptions#addresses()
		 */
		public Builder addresses(String... addresses) {
			this.draft.connection.addresses(addresses);
			return this;
		}

		/**
		 * The order the addresses are tried in.
		 * @param addressShuffleMode none, random or inorder
		 * @return this builder
		 * @see ConnectionOptions#addressShuffleMode()
		 */
		public Builder addressShuffleMode(AddressShuffleMode addressShuffleMode) {
			this.draft.connection.addressShuffleMode(addressShuffleMode);
			return this;
		}

		/** Sets {@link ConnectionOptions#requestedHeartbeat()}; default 10 s. */
		public Builder requestedHeartbeat(Duration requestedHeartbeat) {
			this.draft.connection.requestedHeartbeat(requestedHeartbeat);
			return this;
		}

		/** Sets {@link ConnectionOptions#connectionTimeout()}; default 10 s. */
		public Builder connectionTimeout(Duration connectionTimeout) {
			this.draft.connection.connectionTimeout(connectionTimeout);
			return this;
		}

		/** Sets {@link ConnectionOptions#channelRpcTimeout()}; default 10 s. */
		public Builder channelRpcTimeout(Duration channelRpcTimeout) {
			this.draft.connection.channelRpcTimeout(channelRpcTimeout);
			return this;
		}

		/**
		 * Validates the settings and builds the configuration.
		 * @return the configuration
		 * @throws InvalidRabbitConfigException naming the first setting that cannot work
		 */
		public RabbitConfig build() {
			return new RabbitConfig(this.draft);
		}

	}

}
