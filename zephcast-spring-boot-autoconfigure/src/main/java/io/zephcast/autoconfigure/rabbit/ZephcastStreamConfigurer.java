package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.zephcast.rabbit.AckCoalescing;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.PublisherOptions;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitSslOptions;
import io.zephcast.rabbit.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.util.unit.DataSize;

/**
 * Maps a stream's properties onto a {@link RabbitConfig.Builder}, the way Spring Boot's
 * {@code RabbitConnectionFactoryConfigurer} does: only what is set is mapped, so every
 * default stays {@link RabbitConfig}'s own. A named stream takes each connection setting
 * it does not set from the default stream; the URL, when neither sets one for it, from
 * the {@link ZephcastRabbitConnectionDetails}.
 */
public final class ZephcastStreamConfigurer {

	private static final Protocol DEFAULT_PROTOCOL = RabbitConfig.builder().build().protocol();

	private final ZephcastRabbitProperties defaults;

	private final ZephcastRabbitConnectionDetails connectionDetails;

	/**
	 * A configurer of the streams of these properties.
	 * @param defaults the properties: the default stream's, and the named streams under
	 * them
	 * @param connectionDetails where the streams without a URL of their own connect
	 */
	public ZephcastStreamConfigurer(ZephcastRabbitProperties defaults,
			ZephcastRabbitConnectionDetails connectionDetails) {
		this.defaults = defaults;
		this.connectionDetails = connectionDetails;
	}

	/**
	 * The configuration of the default stream.
	 * @return the configuration
	 * @throws InvalidConfigurationPropertyValueException naming the property of a value
	 * that cannot work
	 */
	public RabbitConfig defaultStream() {
		return build(null, this.defaults);
	}

	/**
	 * The configuration of a stream declared under {@code zephcast.rabbit.streams}.
	 * @param name the stream name
	 * @return the configuration
	 * @throws InvalidConfigurationPropertyValueException naming the property of a value
	 * that cannot work
	 */
	public RabbitConfig namedStream(String name) {
		ZephcastStreamProperties stream = this.defaults.getStreams().get(name);
		if (stream == null) {
			throw new IllegalArgumentException("No stream '" + name + "' under " + ZephcastPropertyNames.STREAMS);
		}
		return build(name, stream);
	}

	private RabbitConfig build(@Nullable String name, ZephcastStreamProperties stream) {
		RabbitConfig.Builder builder = RabbitConfig.builder();
		try {
			configure(builder, stream, (name != null) ? this.defaults : null);
			if (sslBundle(name) != null) {
				// TLS comes with the bundle of the service connection, as in Spring Boot
				builder.ssl(true);
			}
			return builder.build();
		}
		catch (InvalidRabbitConfigException ex) {
			String owner = isInherited(name, stream, ex.setting()) ? null : name;
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(owner, ex.setting()),
					ex.value(), ex.reason());
		}
	}

	/**
	 * The SSL bundle the {@link ZephcastRabbitConnectionDetails} give a stream that
	 * connects where they say: the default stream, and a named stream without a URL or
	 * addresses of its own. It turns TLS on, and wins over {@code ssl-options.bundle}.
	 * @param name the name of a named stream, or {@code null} for the default stream
	 * @return the bundle, or {@code null} when the details give none or the stream
	 * connects elsewhere
	 */
	public @Nullable SslBundle sslBundle(@Nullable String name) {
		if (name != null) {
			ZephcastStreamProperties stream = this.defaults.getStreams().get(name);
			if (stream == null || ownUrl(stream, this.defaults) != null || stream.getAddresses() != null) {
				return null;
			}
		}
		return this.connectionDetails.getSslBundle();
	}

	/**
	 * Maps the properties onto the builder.
	 * @param builder the builder
	 * @param stream the stream's properties
	 * @param parent where the connection settings the stream does not set come from, or
	 * {@code null}
	 */
	void configure(RabbitConfig.Builder builder, ZephcastStreamProperties stream,
			@Nullable ZephcastStreamProperties parent) {
		PropertyMapper map = PropertyMapper.get();
		map.from(inheritedUrl(stream)).to(builder::url);
		map.from(stream.getQueueName()).to(builder::queueName);
		map.from(stream.getExchangeName()).to(builder::exchangeName);
		map.from(stream.getRoutingKey()).to(builder::routingKey);
		map.from(stream.getExchangeType()).to(builder::exchangeType);
		map.from(stream.getDurable()).to(builder::durable);
		map.from(stream.getAutoDelete()).to(builder::autoDelete);
		map.from(stream.getPrefetchCount()).to(builder::prefetchCount);
		map.from(stream.getConsumer().getConcurrency()).to(builder::concurrency);
		map.from(stream.getQueueType()).to(builder::queueType);
		builder.queue(queueArguments(stream.getQueue()));
		map.from(stream.getBindingKeys()).when((keys) -> !keys.isEmpty()).to(builder::bindingKeys);
		map.from(stream.getBindingArguments()).when((arguments) -> !arguments.isEmpty()).to(builder::bindingArguments);
		map.from(stream.getDeclare()).to(builder::declare);
		builder.retry(retryPolicy(stream.getConsumer().getRetry()));
		builder.ackCoalescing(ackCoalescing(stream.getConsumer().getAckCoalescing()));
		map.from(stream.getConsumer().getDeadLetterQueue()).to(builder::deadLetterQueue);
		builder.publisher(publisherOptions(stream.getPublisher()));
		for (InheritedSetting<?> setting : INHERITED) {
			setting.map(map, builder, stream, parent);
		}
		configureAddresses(builder, stream, parent);
	}

	/**
	 * The addresses, where inheriting them would be wrong or where the connection details
	 * give them: a named stream with a URL of its own connects there rather than to the
	 * default stream's nodes; a stream that follows a connection details bean (a
	 * container's, Docker Compose's) takes all of its addresses.
	 */
	private void configureAddresses(RabbitConfig.Builder builder, ZephcastStreamProperties stream,
			@Nullable ZephcastStreamProperties parent) {
		if (stream.getAddresses() != null) {
			return;
		}
		if (parent != null && ownUrl(stream, parent) != null) {
			builder.addresses();
		}
		else if (!(this.connectionDetails instanceof PropertiesZephcastRabbitConnectionDetails)
				&& this.connectionDetails.getAddresses().size() > 1) {
			builder.addresses(this.connectionDetails.getAddresses()
				.stream()
				.map((address) -> (address.secure() ? "amqps://" : "") + address.host() + ":" + address.port())
				.toArray(String[]::new));
		}
	}

	private static QueueArguments queueArguments(ZephcastQueueProperties queue) {
		QueueArguments.Builder builder = QueueArguments.builder();
		PropertyMapper map = PropertyMapper.get();
		map.from(queue.getMessageTtl()).to(builder::messageTtl);
		map.from(queue.getMaxLength()).to(builder::maxLength);
		map.from(queue.getMaxLengthBytes()).as(DataSize::toBytes).to(builder::maxLengthBytes);
		map.from(queue.getOverflow()).to(builder::overflow);
		map.from(queue.getSingleActiveConsumer()).to(builder::singleActiveConsumer);
		map.from(queue.getDeadLetterExchange()).to(builder::deadLetterExchange);
		map.from(queue.getDeadLetterRoutingKey()).to(builder::deadLetterRoutingKey);
		map.from(queue.getDeliveryLimit()).to(builder::deliveryLimit);
		queue.getArguments().forEach((name, value) -> builder.argument(name, typed(value)));
		return builder.build();
	}

	/**
	 * A property value as the AMQP type it reads as: queue arguments such as
	 * {@code x-max-priority} must be numbers, and properties are strings.
	 */
	private static Object typed(String value) {
		if (value.equals("true") || value.equals("false")) {
			return Boolean.valueOf(value);
		}
		try {
			return Long.valueOf(value);
		}
		catch (NumberFormatException ex) {
			return value;
		}
	}

	private static RetryPolicy retryPolicy(ZephcastConsumerProperties.Retry retry) {
		RetryPolicy.Builder builder = RetryPolicy.builder();
		PropertyMapper map = PropertyMapper.get();
		map.from(retry.getMaxAttempts()).to(builder::maxAttempts);
		map.from(retry.getInitialInterval()).to(builder::initialInterval);
		map.from(retry.getMultiplier()).to(builder::multiplier);
		map.from(retry.getMaxInterval()).to(builder::maxInterval);
		map.from(retry.getJitter()).to(builder::jitter);
		return builder.build();
	}

	private static AckCoalescing ackCoalescing(ZephcastConsumerProperties.AckCoalescing properties) {
		// the library's defaults are the only ones
		return AckCoalescing.of(
				Objects.requireNonNullElse(properties.getMaxMessages(), AckCoalescing.OFF.maxMessages()),
				Objects.requireNonNullElse(properties.getMaxDelay(), AckCoalescing.OFF.maxDelay()));
	}

	private static PublisherOptions publisherOptions(ZephcastPublisherProperties properties) {
		// the library's defaults are the only ones
		PublisherOptions.Builder builder = PublisherOptions.builder();
		if (properties.getMaxInFlight() != null) {
			builder.maxInFlight(properties.getMaxInFlight());
		}
		if (properties.getMaxBlock() != null) {
			builder.maxBlock(properties.getMaxBlock());
		}
		if (properties.getMaxMessageSize() != null) {
			builder.maxMessageSize(properties.getMaxMessageSize().toBytes());
		}
		return builder.build();
	}

	/**
	 * The URL of a stream: its own, else the connection details' (which are
	 * {@code zephcast.rabbit.url} unless a {@link ZephcastRabbitConnectionDetails} bean
	 * says otherwise).
	 */
	private String inheritedUrl(ZephcastStreamProperties stream) {
		String own = ownUrl(stream, (stream != this.defaults) ? this.defaults : null);
		return (own != null) ? own : this.connectionDetails.getUrl();
	}

	/**
	 * A named stream's own URL: set, and not the default stream's (a stream that repeats
	 * the default stream's URL goes where the default stream goes, connection details
	 * included).
	 * @return the URL, or {@code null} when the stream connects where the default stream
	 * does
	 */
	private static @Nullable String ownUrl(ZephcastStreamProperties stream, @Nullable ZephcastStreamProperties parent) {
		String url = stream.getUrl();
		return (parent != null && url != null && !url.equals(parent.getUrl())) ? url : null;
	}

	/**
	 * What decides which connection a stream needs: its own URL (or none, meaning the
	 * connection details'), and its addresses, connection tuning and TLS settings as
	 * inherited. Streams with equal keys share a connection factory.
	 * @param stream the stream's properties
	 * @param parent the default stream's, or {@code null} for the default stream itself
	 * @return the key
	 */
	static List<@Nullable Object> connectionKey(ZephcastStreamProperties stream,
			@Nullable ZephcastStreamProperties parent) {
		List<@Nullable Object> key = new ArrayList<>();
		key.add(ownUrl(stream, parent));
		for (InheritedSetting<?> setting : INHERITED) {
			if (setting.connection()) {
				key.add(setting.value(stream, parent));
			}
		}
		return key;
	}

	/**
	 * The protocol a stream speaks: its own, else (for a named stream) the default
	 * stream's, else {@link RabbitConfig}'s default.
	 * @param stream the stream's properties
	 * @param parent the default stream's, or {@code null} for the default stream itself
	 * @return the protocol
	 */
	static Protocol protocol(ZephcastStreamProperties stream, @Nullable ZephcastStreamProperties parent) {
		Protocol own = stream.getProtocol();
		if (own != null) {
			return own;
		}
		Protocol inherited = (parent != null) ? parent.getProtocol() : null;
		return (inherited != null) ? inherited : DEFAULT_PROTOCOL;
	}

	/**
	 * Whether a setting that failed came from the default stream: then its property is
	 * the one to name.
	 */
	private boolean isInherited(@Nullable String name, ZephcastStreamProperties stream, String setting) {
		if (name == null) {
			return false;
		}
		if (setting.equals("url")) {
			return ownUrl(stream, this.defaults) == null;
		}
		for (InheritedSetting<?> inherited : INHERITED) {
			if (inherited.setting().equals(setting)) {
				return inherited.getter().apply(stream) == null;
			}
		}
		// an error about the TLS options as a whole: inherited when the stream sets none
		return setting.startsWith("sslOptions") && INHERITED.stream()
			.filter((inherited) -> inherited.setting().startsWith("sslOptions."))
			.allMatch((inherited) -> inherited.getter().apply(stream) == null);
	}

	/**
	 * The names of the settings a named stream inherits besides its URL, as
	 * {@link RabbitConfig.Builder} and its errors name them (e.g.
	 * {@code sslOptions.trust-store}): for the tests that keep the documentation true.
	 * @return the setting names
	 */
	static List<String> inheritedSettings() {
		return INHERITED.stream().map(InheritedSetting::setting).toList();
	}

	/**
	 * The connection settings a named stream takes from the default stream when it does
	 * not set them: the one list that mapping, connection sharing and error messages
	 * read.
	 */
	private static final List<InheritedSetting<?>> INHERITED = List.of(
			new InheritedSetting<>("addresses", true, ZephcastStreamProperties::getAddresses,
					(builder, addresses) -> builder.addresses(addresses.toArray(String[]::new))),
			new InheritedSetting<>("addressShuffleMode", true, ZephcastStreamProperties::getAddressShuffleMode,
					RabbitConfig.Builder::addressShuffleMode),
			new InheritedSetting<>("requestedHeartbeat", true, ZephcastStreamProperties::getRequestedHeartbeat,
					RabbitConfig.Builder::requestedHeartbeat),
			new InheritedSetting<>("connectionTimeout", true, ZephcastStreamProperties::getConnectionTimeout,
					RabbitConfig.Builder::connectionTimeout),
			new InheritedSetting<>("channelRpcTimeout", true, ZephcastStreamProperties::getChannelRpcTimeout,
					RabbitConfig.Builder::channelRpcTimeout),
			new InheritedSetting<>("ssl", true, ZephcastStreamProperties::getSsl, RabbitConfig.Builder::ssl),
			new InheritedSetting<>("shutdownTimeout", false, ZephcastStreamProperties::getShutdownTimeout,
					RabbitConfig.Builder::shutdownTimeout),
			new InheritedSetting<>("confirmTimeout", false, ZephcastStreamProperties::getConfirmTimeout,
					RabbitConfig.Builder::confirmTimeout),
			new InheritedSetting<>("failFast", false, ZephcastStreamProperties::getFailFast,
					RabbitConfig.Builder::failFast),
			// not a connection setting: a stream on AMQP 1.0 uses no connection factory
			new InheritedSetting<>("protocol", false, ZephcastStreamProperties::getProtocol,
					RabbitConfig.Builder::protocol),
			tls(RabbitSslOptions.BUNDLE, ZephcastStreamProperties.SslOptions::getBundle,
					RabbitConfig.Builder::sslBundle),
			tls(RabbitSslOptions.TRUST_STORE, ZephcastStreamProperties.SslOptions::getTrustStore,
					RabbitConfig.Builder::trustStore),
			tls(RabbitSslOptions.TRUST_STORE_PASSWORD, ZephcastStreamProperties.SslOptions::getTrustStorePassword,
					RabbitConfig.Builder::trustStorePassword),
			tls(RabbitSslOptions.TRUST_STORE_TYPE, ZephcastStreamProperties.SslOptions::getTrustStoreType,
					RabbitConfig.Builder::trustStoreType),
			tls(RabbitSslOptions.KEY_STORE, ZephcastStreamProperties.SslOptions::getKeyStore,
					RabbitConfig.Builder::keyStore),
			tls(RabbitSslOptions.KEY_STORE_PASSWORD, ZephcastStreamProperties.SslOptions::getKeyStorePassword,
					RabbitConfig.Builder::keyStorePassword),
			tls(RabbitSslOptions.KEY_STORE_TYPE, ZephcastStreamProperties.SslOptions::getKeyStoreType,
					RabbitConfig.Builder::keyStoreType),
			tls(RabbitSslOptions.PROTOCOL, ZephcastStreamProperties.SslOptions::getProtocol,
					RabbitConfig.Builder::sslProtocol),
			tls(RabbitSslOptions.VERIFY_HOSTNAME, ZephcastStreamProperties.SslOptions::getVerifyHostname,
					RabbitConfig.Builder::verifyHostname));

	private static <T> InheritedSetting<T> tls(String option,
			Function<ZephcastStreamProperties.SslOptions, @Nullable T> getter,
			BiConsumer<RabbitConfig.Builder, T> setter) {
		return new InheritedSetting<>("sslOptions." + option, true,
				(properties) -> getter.apply(properties.getSslOptions()), setter);
	}

	/**
	 * A connection setting a named stream inherits.
	 *
	 * @param <T> the type of its value
	 * @param setting its name on {@link RabbitConfig.Builder}, as errors name it
	 * @param connection whether it decides which connection a stream needs (streams
	 * differing in it cannot share a connection factory)
	 * @param getter reads it from the properties
	 * @param setter sets it on the builder
	 */
	private record InheritedSetting<T>(String setting, boolean connection,
			Function<ZephcastStreamProperties, @Nullable T> getter, BiConsumer<RabbitConfig.Builder, T> setter) {

		@Nullable T value(ZephcastStreamProperties stream, @Nullable ZephcastStreamProperties parent) {
			T own = this.getter.apply(stream);
			return (own != null || parent == null) ? own : this.getter.apply(parent);
		}

		void map(PropertyMapper map, RabbitConfig.Builder builder, ZephcastStreamProperties stream,
				@Nullable ZephcastStreamProperties parent) {
			map.from(value(stream, parent)).to((value) -> this.setter.accept(builder, value));
		}

	}

}
