package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for the zephcast RabbitClient.
 */
@ConfigurationProperties("zephcast.rabbit")
public class ZephcastRabbitProperties {

	/**
	 * Whether to auto-configure the zephcast RabbitClient.
	 */
	private boolean enabled = true;

	/**
	 * Broker URL: amqp://user:password@host:port/vhost, or amqps://... for TLS. Without
	 * user information RabbitMQ's default user (guest) is used.
	 */
	private String url = RabbitConfig.DEFAULT_URL;

	/**
	 * Name of the client: the name of its connections, and the queue name and routing key
	 * where those are empty. Defaults to spring.application.name, else "zephcast".
	 */
	private @Nullable String streamName;

	/**
	 * Queue to declare and consume from. Empty to use the stream name, declared only once
	 * the application starts consuming.
	 */
	private String queueName = "";

	/**
	 * Exchange to declare and publish to. Empty for RabbitMQ's default exchange, which
	 * routes straight to the queue.
	 */
	private String exchangeName = "";

	/**
	 * Routing key for sends and binding key of the queue (a pattern such as "orders.#"
	 * for a topic exchange). Empty to use the stream name.
	 */
	private String routingKey = "";

	/**
	 * Type of the exchange: direct, topic, fanout or headers.
	 */
	private ExchangeType exchangeType = ExchangeType.DIRECT;

	/**
	 * Whether the exchange and queue survive a broker restart; also makes messages
	 * persistent.
	 */
	private boolean durable = true;

	/**
	 * Whether the broker deletes the queue once its last consumer is gone (and the
	 * exchange once its last binding is).
	 */
	private boolean autoDelete = false;

	/**
	 * Number of unacknowledged messages the broker hands each consumer at once (1 to
	 * 65535). It bounds what the application holds in memory.
	 */
	private int prefetchCount = 1;

	/**
	 * Whether to connect over TLS. An amqps:// URL turns it on too.
	 */
	private boolean ssl = false;

	/**
	 * TLS options: bundle (a spring.ssl.bundle name), trust-store, trust-store-password,
	 * trust-store-type, key-store, key-store-password, key-store-type, protocol and
	 * verify-hostname (true by default).
	 */
	private Map<String, String> sslOptions = new LinkedHashMap<>();

	/**
	 * How long closing the client waits for messages handed out to be acked, handlers to
	 * finish and sends to be confirmed.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * How long a send waits for the broker's confirm before its future fails.
	 */
	private Duration confirmTimeout = Duration.ofSeconds(30);

	/**
	 * Whether start-up fails when the broker cannot be reached. When false, the
	 * application starts anyway and the client connects, declares and starts its
	 * consumers as soon as the broker answers.
	 */
	private boolean failFast = true;

	/**
	 * Consumer settings.
	 */
	private final Consumer consumer = new Consumer();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getUrl() {
		return this.url;
	}

	public void setUrl(String url) {
		this.url = url;
	}

	public @Nullable String getStreamName() {
		return this.streamName;
	}

	public void setStreamName(@Nullable String streamName) {
		this.streamName = streamName;
	}

	public String getQueueName() {
		return this.queueName;
	}

	public void setQueueName(String queueName) {
		this.queueName = queueName;
	}

	public String getExchangeName() {
		return this.exchangeName;
	}

	public void setExchangeName(String exchangeName) {
		this.exchangeName = exchangeName;
	}

	public String getRoutingKey() {
		return this.routingKey;
	}

	public void setRoutingKey(String routingKey) {
		this.routingKey = routingKey;
	}

	public ExchangeType getExchangeType() {
		return this.exchangeType;
	}

	public void setExchangeType(ExchangeType exchangeType) {
		this.exchangeType = exchangeType;
	}

	public boolean isDurable() {
		return this.durable;
	}

	public void setDurable(boolean durable) {
		this.durable = durable;
	}

	public boolean isAutoDelete() {
		return this.autoDelete;
	}

	public void setAutoDelete(boolean autoDelete) {
		this.autoDelete = autoDelete;
	}

	public int getPrefetchCount() {
		return this.prefetchCount;
	}

	public void setPrefetchCount(int prefetchCount) {
		this.prefetchCount = prefetchCount;
	}

	public boolean isSsl() {
		return this.ssl;
	}

	public void setSsl(boolean ssl) {
		this.ssl = ssl;
	}

	public Map<String, String> getSslOptions() {
		return this.sslOptions;
	}

	public void setSslOptions(Map<String, String> sslOptions) {
		this.sslOptions = sslOptions;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getConfirmTimeout() {
		return this.confirmTimeout;
	}

	public void setConfirmTimeout(Duration confirmTimeout) {
		this.confirmTimeout = confirmTimeout;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public Consumer getConsumer() {
		return this.consumer;
	}

	/**
	 * Consumer settings.
	 */
	public static class Consumer {

		/**
		 * Number of consumers, each with its own channel, that the listener container
		 * runs on the queue: this application's members of the consumer group. A handler
		 * runs on up to this many messages at once.
		 */
		private int concurrency = 1;

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

	}

}
