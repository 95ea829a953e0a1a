package io.zephcast.autoconfigure.rabbit;

import java.util.function.Function;

import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Maps a stream's properties onto a {@link RabbitConfig.Builder}, the way Spring Boot's
 * {@code RabbitConnectionFactoryConfigurer} does: only what is set is mapped, so every
 * default stays {@link RabbitConfig}'s own. A named stream takes each connection setting
 * it does not set from the default stream; the URL, when neither sets one for it, from
 * the {@link ZephcastRabbitConnectionDetails}.
 */
public final class ZephcastStreamConfigurer {

	private final ZephcastRabbitProperties defaults;

	private final ZephcastRabbitConnectionDetails connectionDetails;

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
		configure(builder, stream, (name != null) ? this.defaults : null);
		try {
			return builder.build();
		}
		catch (InvalidRabbitConfigException ex) {
			String prefix = ZephcastPropertyNames.prefix(isInherited(name, stream, ex.setting()) ? null : name);
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(prefix, ex.setting()),
					ex.value(), ex.reason());
		}
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
		map.from(inherit(stream, parent, ZephcastStreamProperties::getSsl)).to(builder::ssl);
		map.from(inherit(stream, parent, ZephcastStreamProperties::getShutdownTimeout)).to(builder::shutdownTimeout);
		map.from(inherit(stream, parent, ZephcastStreamProperties::getConfirmTimeout)).to(builder::confirmTimeout);
		map.from(inherit(stream, parent, ZephcastStreamProperties::getFailFast)).to(builder::failFast);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getBundle)).to(builder::sslBundle);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getTrustStore)).to(builder::trustStore);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getTrustStorePassword))
			.to(builder::trustStorePassword);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getTrustStoreType))
			.to(builder::trustStoreType);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getKeyStore)).to(builder::keyStore);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getKeyStorePassword))
			.to(builder::keyStorePassword);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getKeyStoreType)).to(builder::keyStoreType);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getProtocol)).to(builder::sslProtocol);
		map.from(ssl(stream, parent, ZephcastStreamProperties.SslOptions::getVerifyHostname))
			.to(builder::verifyHostname);
	}

	/**
	 * The URL of a stream: its own, else the connection details' (which are
	 * {@code zephcast.rabbit.url} unless a {@link ZephcastRabbitConnectionDetails} bean
	 * says otherwise).
	 */
	private String inheritedUrl(ZephcastStreamProperties stream) {
		return (stream != this.defaults && stream.getUrl() != null) ? stream.getUrl() : this.connectionDetails.getUrl();
	}

	private static <T> @Nullable T inherit(ZephcastStreamProperties stream, @Nullable ZephcastStreamProperties parent,
			Function<ZephcastStreamProperties, @Nullable T> getter) {
		T own = getter.apply(stream);
		return (own != null || parent == null) ? own : getter.apply(parent);
	}

	private static <T> @Nullable T ssl(ZephcastStreamProperties stream, @Nullable ZephcastStreamProperties parent,
			Function<ZephcastStreamProperties.SslOptions, @Nullable T> getter) {
		return inherit(stream, parent, (properties) -> getter.apply(properties.getSslOptions()));
	}

	/**
	 * Whether a setting that failed came from the default stream: then its property is
	 * the one to name.
	 */
	private boolean isInherited(@Nullable String name, ZephcastStreamProperties stream, String setting) {
		if (name == null) {
			return false;
		}
		return switch (setting) {
			case "url" -> stream.getUrl() == null;
			case "ssl" -> stream.getSsl() == null;
			case "shutdownTimeout" -> stream.getShutdownTimeout() == null;
			case "confirmTimeout" -> stream.getConfirmTimeout() == null;
			case "failFast" -> stream.getFailFast() == null;
			default -> setting.startsWith("sslOptions") && !setsSslOptions(stream.getSslOptions());
		};
	}

	static boolean setsSslOptions(ZephcastStreamProperties.SslOptions options) {
		return options.getBundle() != null || options.getTrustStore() != null || options.getTrustStorePassword() != null
				|| options.getTrustStoreType() != null || options.getKeyStore() != null
				|| options.getKeyStorePassword() != null || options.getKeyStoreType() != null
				|| options.getProtocol() != null || options.getVerifyHostname() != null;
	}

}
