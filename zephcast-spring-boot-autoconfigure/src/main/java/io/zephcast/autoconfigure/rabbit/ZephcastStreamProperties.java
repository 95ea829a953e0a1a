package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.QueueType;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The settings of one stream, the same keys under {@code zephcast.rabbit.*} (the default
 * stream) and {@code zephcast.rabbit.streams.<name>.*}. Every value is {@code null} until
 * set: the default then comes from {@link io.zephcast.rabbit.RabbitConfig}'s builder, the
 * one place defaults are kept, and a named stream can tell the connection settings it
 * sets from the ones it inherits.
 */
public class ZephcastStreamProperties extends ZephcastConnectionProperties {

	/**
	 * Broker URL: amqp://user:password@host:port/vhost, or amqps://... for TLS. Without
	 * user information RabbitMQ's default user (guest) is used. A named stream inherits
	 * it.
	 */
	private @Nullable String url;

	/**
	 * Protocol the client speaks: amqp-0-9-1 (publisher confirms, prefetch, any RabbitMQ
	 * 3.x or 4.x) or amqp-1-0 (the broker settles each message, link credit; needs
	 * RabbitMQ 4.0 or later and the com.rabbitmq.client:amqp-client dependency). A named
	 * stream inherits it.
	 */
	private @Nullable Protocol protocol;

	/**
	 * Queue to declare and consume from. Empty to use the stream name, declared only once
	 * the application starts consuming.
	 */
	private @Nullable String queueName;

	/**
	 * Exchange to declare and publish to. Empty for RabbitMQ's default exchange, which
	 * routes straight to the queue.
	 */
	private @Nullable String exchangeName;

	/**
	 * Routing key for sends and binding key of the queue (a pattern such as "orders.#"
	 * for a topic exchange). Empty to use the stream name.
	 */
	private @Nullable String routingKey;

	/**
	 * Type of the exchange: direct, topic, fanout or headers.
	 */
	private @Nullable ExchangeType exchangeType;

	/**
	 * Whether the exchange and queue survive a broker restart; also makes messages
	 * persistent.
	 */
	private @Nullable Boolean durable;

	/**
	 * Whether the broker deletes the queue once its last consumer is gone (and the
	 * exchange once its last binding is).
	 */
	private @Nullable Boolean autoDelete;

	/**
	 * Number of unacknowledged messages the broker hands each consumer at once (1 to
	 * 65535). It bounds what the application holds in memory.
	 */
	private @Nullable Integer prefetchCount;

	/**
	 * Whether to connect over TLS. An amqps:// URL turns it on too. A named stream
	 * inherits it.
	 */
	private @Nullable Boolean ssl;

	/**
	 * How long closing the client waits for messages handed out to be acked, handlers to
	 * finish and sends to be confirmed. A named stream inherits it.
	 */
	private @Nullable Duration shutdownTimeout;

	/**
	 * How long a send waits for the broker's confirm before its future fails. A named
	 * stream inherits it.
	 */
	private @Nullable Duration confirmTimeout;

	/**
	 * Whether start-up fails when the broker cannot be reached. When false, the
	 * application starts anyway and the client connects, declares and starts its
	 * consumers as soon as the broker answers. A named stream inherits it.
	 */
	private @Nullable Boolean failFast;

	/**
	 * TLS options. A named stream inherits each one it does not set.
	 */
	private final SslOptions sslOptions = new SslOptions();

	/**
	 * Consumer settings: the consumer group, retries and dead letters.
	 */
	@NestedConfigurationProperty
	private final ZephcastConsumerProperties consumer = new ZephcastConsumerProperties();

	/**
	 * Publisher settings: how many sends may await their confirm, how long a send waits
	 * for room, the largest message.
	 */
	@NestedConfigurationProperty
	private final ZephcastPublisherProperties publisher = new ZephcastPublisherProperties();

	/**
	 * Type of the queue: classic, or quorum (replicated over a cluster; always durable,
	 * never auto-delete).
	 */
	private @Nullable QueueType queueType;

	/**
	 * Optional arguments of the queue.
	 */
	@NestedConfigurationProperty
	private final ZephcastQueueProperties queue = new ZephcastQueueProperties();

	/**
	 * Keys the queue is bound with, when it needs several (for example orders.created,
	 * orders.updated); sends still use routing-key. Empty to bind with routing-key.
	 */
	private final List<String> bindingKeys = new ArrayList<>();

	/**
	 * Arguments of the queue's binding to a headers exchange: the headers a message must
	 * carry, and x-match (all or any).
	 */
	private final Map<String, String> bindingArguments = new LinkedHashMap<>();

	/**
	 * What the client does with its exchange, queue and bindings: true declares them (and
	 * again after each reconnection), verify only checks that they exist as configured,
	 * false leaves them to the operators.
	 */
	private @Nullable DeclareMode declare;

	public @Nullable String getUrl() {
		return this.url;
	}

	public void setUrl(@Nullable String url) {
		this.url = url;
	}

	public @Nullable Protocol getProtocol() {
		return this.protocol;
	}

	public void setProtocol(@Nullable Protocol protocol) {
		this.protocol = protocol;
	}

	public @Nullable String getQueueName() {
		return this.queueName;
	}

	public void setQueueName(@Nullable String queueName) {
		this.queueName = queueName;
	}

	public @Nullable String getExchangeName() {
		return this.exchangeName;
	}

	public void setExchangeName(@Nullable String exchangeName) {
		this.exchangeName = exchangeName;
	}

	public @Nullable String getRoutingKey() {
		return this.routingKey;
	}

	public void setRoutingKey(@Nullable String routingKey) {
		this.routingKey = routingKey;
	}

	public @Nullable ExchangeType getExchangeType() {
		return this.exchangeType;
	}

	public void setExchangeType(@Nullable ExchangeType exchangeType) {
		this.exchangeType = exchangeType;
	}

	public @Nullable Boolean getDurable() {
		return this.durable;
	}

	public void setDurable(@Nullable Boolean durable) {
		this.durable = durable;
	}

	public @Nullable Boolean getAutoDelete() {
		return this.autoDelete;
	}

	public void setAutoDelete(@Nullable Boolean autoDelete) {
		this.autoDelete = autoDelete;
	}

	public @Nullable Integer getPrefetchCount() {
		return this.prefetchCount;
	}

	public void setPrefetchCount(@Nullable Integer prefetchCount) {
		this.prefetchCount = prefetchCount;
	}

	public @Nullable Boolean getSsl() {
		return this.ssl;
	}

	public void setSsl(@Nullable Boolean ssl) {
		this.ssl = ssl;
	}

	public @Nullable Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public @Nullable Duration getConfirmTimeout() {
		return this.confirmTimeout;
	}

	public void setConfirmTimeout(@Nullable Duration confirmTimeout) {
		this.confirmTimeout = confirmTimeout;
	}

	public @Nullable Boolean getFailFast() {
		return this.failFast;
	}

	public void setFailFast(@Nullable Boolean failFast) {
		this.failFast = failFast;
	}

	public SslOptions getSslOptions() {
		return this.sslOptions;
	}

	public ZephcastConsumerProperties getConsumer() {
		return this.consumer;
	}

	public ZephcastPublisherProperties getPublisher() {
		return this.publisher;
	}

	public @Nullable QueueType getQueueType() {
		return this.queueType;
	}

	public void setQueueType(@Nullable QueueType queueType) {
		this.queueType = queueType;
	}

	public ZephcastQueueProperties getQueue() {
		return this.queue;
	}

	public List<String> getBindingKeys() {
		return this.bindingKeys;
	}

	public Map<String, String> getBindingArguments() {
		return this.bindingArguments;
	}

	public @Nullable DeclareMode getDeclare() {
		return this.declare;
	}

	public void setDeclare(@Nullable DeclareMode declare) {
		this.declare = declare;
	}

	/**
	 * TLS options, used when TLS is on.
	 */
	public static class SslOptions {

		/**
		 * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) holding the trust
		 * material and, for mutual TLS, the client key. Replaces the store options.
		 */
		private @Nullable String bundle;

		/**
		 * Location of the trust store with the CA certificates to trust (a path, file: or
		 * classpath: URL). Default: the JVM's trust store.
		 */
		private @Nullable String trustStore;

		/**
		 * Password of the trust store.
		 */
		private @Nullable String trustStorePassword;

		/**
		 * Type of the trust store: PKCS12 or JKS.
		 */
		private @Nullable String trustStoreType;

		/**
		 * Location of the key store with the client certificate and key, for mutual TLS.
		 */
		private @Nullable String keyStore;

		/**
		 * Password of the key store and of the key in it.
		 */
		private @Nullable String keyStorePassword;

		/**
		 * Type of the key store: PKCS12 or JKS.
		 */
		private @Nullable String keyStoreType;

		/**
		 * TLS protocol of the SSL context: TLS (negotiates TLSv1.3 or TLSv1.2), TLSv1.3
		 * or TLSv1.2.
		 */
		private @Nullable String protocol;

		/**
		 * Whether the server certificate must name the host connected to.
		 */
		private @Nullable Boolean verifyHostname;

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

		public @Nullable String getTrustStore() {
			return this.trustStore;
		}

		public void setTrustStore(@Nullable String trustStore) {
			this.trustStore = trustStore;
		}

		public @Nullable String getTrustStorePassword() {
			return this.trustStorePassword;
		}

		public void setTrustStorePassword(@Nullable String trustStorePassword) {
			this.trustStorePassword = trustStorePassword;
		}

		public @Nullable String getTrustStoreType() {
			return this.trustStoreType;
		}

		public void setTrustStoreType(@Nullable String trustStoreType) {
			this.trustStoreType = trustStoreType;
		}

		public @Nullable String getKeyStore() {
			return this.keyStore;
		}

		public void setKeyStore(@Nullable String keyStore) {
			this.keyStore = keyStore;
		}

		public @Nullable String getKeyStorePassword() {
			return this.keyStorePassword;
		}

		public void setKeyStorePassword(@Nullable String keyStorePassword) {
			this.keyStorePassword = keyStorePassword;
		}

		public @Nullable String getKeyStoreType() {
			return this.keyStoreType;
		}

		public void setKeyStoreType(@Nullable String keyStoreType) {
			this.keyStoreType = keyStoreType;
		}

		public @Nullable String getProtocol() {
			return this.protocol;
		}

		public void setProtocol(@Nullable String protocol) {
			this.protocol = protocol;
		}

		public @Nullable Boolean getVerifyHostname() {
			return this.verifyHostname;
		}

		public void setVerifyHostname(@Nullable Boolean verifyHostname) {
			this.verifyHostname = verifyHostname;
		}

		@Override
		public String toString() {
			// never the passwords
			return "SslOptions[bundle=" + this.bundle + ", trustStore=" + this.trustStore + ", keyStore="
					+ this.keyStore + ", protocol=" + this.protocol + ", verifyHostname=" + this.verifyHostname + "]";
		}

	}

}
