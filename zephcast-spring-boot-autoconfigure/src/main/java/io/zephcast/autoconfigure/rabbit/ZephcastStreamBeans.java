package io.zephcast.autoconfigure.rabbit;

import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitSslOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.ClassUtils;

import tools.jackson.databind.json.JsonMapper;

/**
 * Makes the beans of one stream, the same way for the default stream (bean methods) and
 * the named ones (registered definitions), and names them: the shared connection factory
 * (AMQP 0-9-1 only) and the client, which builds its own listener container and
 * declarations, or on AMQP 1.0 its own connection, from its configuration.
 */
final class ZephcastStreamBeans {

	private ZephcastStreamBeans() {
	}

	/**
	 * The bean name of a named stream's client.
	 * @param stream the stream name
	 * @return {@code rabbitClient.<stream>}
	 */
	static String client(String stream) {
		return "rabbitClient." + stream;
	}

	/**
	 * A connection factory shared by every stream that reaches the broker the same way:
	 * the clients publish on its publisher connection and consume on its main one.
	 * @param connectionName the name the broker shows
	 * @param config the configuration of a stream using it, giving the connection
	 * settings
	 * @param concurrency the consumers of all streams using it
	 * @param detailsBundle the SSL bundle of the connection details, when the stream
	 * follows them and they give one: it wins over {@code ssl-options.bundle}
	 * @param sslBundles the application's SSL bundles, or {@code null}
	 * @param customizers the customizers, in order
	 * @param stream the named stream whose properties made it, or {@code null} for the
	 * default stream: for error messages
	 * @return the connection factory
	 */
	static CachingConnectionFactory connectionFactory(String connectionName, RabbitConfig config, int concurrency,
			@Nullable SslBundle detailsBundle, @Nullable SslBundles sslBundles,
			Stream<ZephcastConnectionFactoryCustomizer> customizers, @Nullable String stream) {
		CachingConnectionFactory connectionFactory;
		try {
			// the library sizes the connection's dispatch threads from the concurrency
			// it is given: here, every consumer on the shared connection
			RabbitConfig shared = config.toBuilder().concurrency(Math.max(1, concurrency)).build();
			SSLContext sslContext = (detailsBundle != null) ? detailsBundle.createSslContext()
					: bundleSslContext(config, sslBundles, stream);
			connectionFactory = RabbitConnectionFactories.create(connectionName, shared, sslContext);
		}
		catch (InvalidRabbitConfigException ex) {
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(stream, ex.setting()),
					ex.value(), ex.reason());
		}
		customizers.forEach((customizer) -> customizer.customize(connectionName, connectionFactory));
		return connectionFactory;
	}

	private static @Nullable SSLContext bundleSslContext(RabbitConfig config, @Nullable SslBundles sslBundles,
			@Nullable String stream) {
		String bundle = config.sslOptions().get(RabbitSslOptions.BUNDLE);
		if (bundle == null || !config.usesTls()) {
			return null;
		}
		String property = ZephcastPropertyNames.of(stream, "sslOptions." + RabbitSslOptions.BUNDLE);
		if (sslBundles == null) {
			throw new InvalidConfigurationPropertyValueException(property, bundle,
					"no SSL bundles are configured (spring.ssl.bundle.*)");
		}
		try {
			return sslBundles.getBundle(bundle).createSslContext();
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException(property, bundle,
					"no SSL bundle of that name; bundles are defined under spring.ssl.bundle.* (known: "
							+ sslBundles.getBundleNames() + ")");
		}
	}

	/**
	 * A stream's client. On AMQP 0-9-1 it runs on a shared connection factory and creates
	 * its listener container and declarations itself; the container customizers adjust
	 * the container it creates. On AMQP 1.0 it opens its own connection and is given none
	 * of that 0-9-1 infrastructure (the library refuses it). Either way the builder
	 * customizers (meters, observations) adjust the builder, each in {@code @Order}.
	 * @param stream the stream name
	 * @param config the stream's configuration
	 * @param connectionFactory the connection factory, for a stream on AMQP 0-9-1; looked
	 * up only for such a stream
	 * @param classLoader the application's class loader, to find RabbitMQ's AMQP 1.0
	 * client
	 * @param jsonMapper the application's JSON mapper, used if it has a single one
	 * @param containerCustomizers the listener container customizers
	 * @param builderCustomizers the client builder customizers
	 * @return the client
	 * @throws Amqp10ClientMissingException for a stream on AMQP 1.0 without RabbitMQ's
	 * AMQP 1.0 client on the class path
	 */
	static RabbitClient client(String stream, RabbitConfig config, Supplier<ConnectionFactory> connectionFactory,
			@Nullable ClassLoader classLoader, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<ZephcastListenerContainerCustomizer> containerCustomizers,
			ObjectProvider<ZephcastClientBuilderCustomizer> builderCustomizers) {
		var builder = RabbitClient.builder(stream, config);
		if (config.protocol() == Protocol.AMQP_1_0) {
			// checked here, before the library, so that the failure analysis can name the
			// stream's property and the dependency
			if (!ClassUtils.isPresent(Amqp10ClientMissingException.CLIENT_CLASS, classLoader)) {
				throw new Amqp10ClientMissingException(stream);
			}
		}
		else {
			builder.connectionFactory(connectionFactory.get())
				.listenerContainerCustomizer((container) -> containerCustomizers.orderedStream()
					.forEach((customizer) -> customizer.customize(container)));
		}
		jsonMapper.ifUnique(builder::jsonMapper);
		builderCustomizers.orderedStream().forEach((customizer) -> customizer.customize(stream, builder));
		return builder.build();
	}

}
