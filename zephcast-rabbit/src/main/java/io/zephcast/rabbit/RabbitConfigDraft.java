package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.zephcast.rabbit.internal.AmqpUrl;
import io.zephcast.rabbit.internal.TopologyChecks;

/**
 * The settings a {@link RabbitConfig.Builder} collects, starting from the defaults, and
 * the check that they can work. Package-private and mutable: {@link RabbitConfigValues}
 * copies it into the immutable configuration and fills one from it for
 * {@code toBuilder()}. It names neither class, so that the three form no cycle.
 */
final class RabbitConfigDraft {

	/** The URL used when none is given: the local broker with RabbitMQ's default user. */
	static final String DEFAULT_URL = "amqp://localhost:5672/";

	private static final int MAX_NAME_BYTES = 255;

	String url = DEFAULT_URL;

	String queueName = "";

	String exchangeName = "";

	String routingKey = "";

	ExchangeType exchangeType = ExchangeType.DIRECT;

	boolean durable = true;

	boolean autoDelete = false;

	QueueType queueType = QueueType.CLASSIC;

	Protocol protocol = Protocol.AMQP_0_9_1;

	QueueArguments queue = QueueArguments.NONE;

	List<String> bindingKeys = List.of();

	Map<String, Object> bindingArguments = Map.of();

	DeclareMode declare = DeclareMode.ON;

	int prefetchCount = 1;

	int concurrency = 1;

	boolean ssl = false;

	final Map<String, String> sslOptions = new LinkedHashMap<>();

	Duration shutdownTimeout = Duration.ofSeconds(10);

	Duration confirmTimeout = Duration.ofSeconds(30);

	boolean failFast = true;

	RetryPolicy retry = RetryPolicy.DEFAULT;

	boolean deadLetterQueue = true;

	final ConnectionOptions.Builder connection = ConnectionOptions.builder();

	AckCoalescing ackCoalescing = AckCoalescing.OFF;

	PublisherOptions publisher = PublisherOptions.DEFAULTS;

	RabbitConfigDraft() {
	}

	void connection(ConnectionOptions options) {
		this.connection.addresses(options.addresses())
			.addressShuffleMode(options.addressShuffleMode())
			.requestedHeartbeat(options.requestedHeartbeat())
			.connectionTimeout(options.connectionTimeout())
			.channelRpcTimeout(options.channelRpcTimeout());
	}

	/**
	 * Checks the settings, in the order a user reads them.
	 * @param connection the connection options built from this draft
	 * @throws InvalidRabbitConfigException naming the first setting that cannot work
	 */
	void check(ConnectionOptions connection) {
		AmqpUrl parsed;
		try {
			parsed = AmqpUrl.parse(this.url);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRabbitConfigException("url", AmqpUrl.mask(this.url), ex.getMessage());
		}
		checkName("queueName", this.queueName);
		checkName("exchangeName", this.exchangeName);
		checkName("routingKey", this.routingKey);
		if (this.exchangeName.toLowerCase(Locale.ROOT).startsWith("amq.")) {
			throw new InvalidRabbitConfigException("exchangeName", this.exchangeName,
					"names starting with 'amq.' are reserved by RabbitMQ");
		}
		if (this.exchangeName.isEmpty() && this.exchangeType != ExchangeType.DIRECT) {
			throw new InvalidRabbitConfigException("exchangeType", this.exchangeType,
					"a " + this.exchangeType + " exchange needs an exchangeName (without one, messages go "
							+ "through RabbitMQ's default direct exchange)");
		}
		if (this.prefetchCount < 1 || this.prefetchCount > 65535) {
			throw new InvalidRabbitConfigException("prefetchCount", this.prefetchCount,
					"must be between 1 and 65535 (it bounds the unacknowledged messages a consumer holds)");
		}
		if (this.concurrency < 1) {
			throw new InvalidRabbitConfigException("concurrency", this.concurrency, "must be at least 1");
		}
		if (this.shutdownTimeout.isNegative()) {
			throw new InvalidRabbitConfigException("shutdownTimeout", this.shutdownTimeout, "must not be negative");
		}
		if (this.confirmTimeout.isNegative() || this.confirmTimeout.isZero()) {
			throw new InvalidRabbitConfigException("confirmTimeout", this.confirmTimeout, "must be positive");
		}
		RabbitSslOptions.validate(this.sslOptions, this.ssl || parsed.tls() || connection.usesTls());
		TopologyChecks.check(this.exchangeName, this.exchangeType, this.durable, this.autoDelete, this.queueType,
				this.queue, this.bindingKeys, this.bindingArguments);
		TopologyChecks.checkDeliveryLimit(this.queue, this.retry);
	}

	private static void checkName(String setting, String value) {
		if (value.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
			throw new InvalidRabbitConfigException(setting, value, "must be at most 255 bytes long");
		}
	}

}
