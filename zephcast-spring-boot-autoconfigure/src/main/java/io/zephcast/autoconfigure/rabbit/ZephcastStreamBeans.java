package io.zephcast.autoconfigure.rabbit;

import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitSslOptions;
import io.zephcast.rabbit.internal.RabbitListenerContainers;
import io.zephcast.rabbit.internal.RabbitTopology;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;

/**
 * Makes the beans of one stream, the same way for the default stream (bean methods) and
 * the named ones (registered definitions), and names them.
 */
final class ZephcastStreamBeans {

	/**
	 * The only admin allowed to declare zephcast's declarables: none of the context's, so
	 * that Spring Boot's {@code RabbitAdmin} does not declare them on its own connection.
	 */
	static final String DECLARING_ADMIN = "zephcastRabbitClient";

	private ZephcastStreamBeans() {
	}

	static String config(String stream) {
		return "zephcastRabbitConfig." + stream;
	}

	static String topology(String stream) {
		return "zephcastRabbitTopology." + stream;
	}

	static String declarables(String stream) {
		return ZephcastRabbitAutoConfiguration.DECLARABLES_BEAN + "." + stream;
	}

	static String listenerContainer(String stream) {
		return ZephcastRabbitAutoConfiguration.LISTENER_CONTAINER_BEAN + "." + stream;
	}

	static String client(String stream) {
		return "rabbitClient." + stream;
	}

	/**
	 * A connection factory shared by every stream that reaches the broker the same way:
	 * the client publishes on its publisher connection, the listener containers consume
	 * on its main one.
	 * @param connectionName the name the broker shows
	 * @param config the configuration of a stream using it, giving the connection
	 * settings
	 * @param concurrency the consumers of all streams using it
	 * @param propertyPrefix where the settings came from, for error messages
	 */
	static CachingConnectionFactory connectionFactory(String connectionName, RabbitConfig config, int concurrency,
			@Nullable SslBundles sslBundles, Stream<ZephcastConnectionFactoryCustomizer> customizers,
			String propertyPrefix) {
		CachingConnectionFactory connectionFactory;
		try {
			// the library sizes the connection's dispatch threads from the concurrency
			// it is given: here, every consumer on the shared connection
			RabbitConfig shared = config.toBuilder().concurrency(Math.max(1, concurrency)).build();
			connectionFactory = RabbitConnectionFactories.create(connectionName, shared,
					bundleSslContext(config, sslBundles, propertyPrefix));
		}
		catch (InvalidRabbitConfigException ex) {
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(propertyPrefix, ex.setting()),
					ex.value(), ex.reason());
		}
		customizers.forEach((customizer) -> customizer.customize(connectionName, connectionFactory));
		return connectionFactory;
	}

	private static @Nullable SSLContext bundleSslContext(RabbitConfig config, @Nullable SslBundles sslBundles,
			String propertyPrefix) {
		String bundle = config.sslOptions().get(RabbitSslOptions.BUNDLE);
		if (bundle == null || !config.usesTls()) {
			return null;
		}
		String property = propertyPrefix + "ssl-options." + RabbitSslOptions.BUNDLE;
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

	static Declarables declarables(RabbitTopology topology) {
		Declarables declarables = topology.declarables();
		for (Declarable declarable : declarables.getDeclarables()) {
			declarable.setAdminsThatShouldDeclare(DECLARING_ADMIN);
		}
		return declarables;
	}

	static DirectMessageListenerContainer listenerContainer(ConnectionFactory connectionFactory,
			RabbitTopology topology, RabbitConfig config, Stream<ZephcastListenerContainerCustomizer> customizers) {
		DirectMessageListenerContainer container = RabbitListenerContainers.create(connectionFactory, topology, config);
		customizers.forEach((customizer) -> customizer.customize(container));
		return container;
	}

	static RabbitClient client(RabbitTopology topology, RabbitConfig config, ConnectionFactory connectionFactory,
			DirectMessageListenerContainer container, Declarables declarables, @Nullable JsonMapper jsonMapper,
			Stream<ZephcastClientBuilderCustomizer> customizers) {
		RabbitClient.Builder builder = RabbitClient.builder(topology.streamName(), config)
			.connectionFactory(connectionFactory)
			.listenerContainer(container)
			.declarables(declarables);
		if (jsonMapper != null) {
			builder.jsonMapper(jsonMapper);
		}
		customizers.forEach((customizer) -> customizer.customize(topology.streamName(), builder));
		return builder.build();
	}

}
