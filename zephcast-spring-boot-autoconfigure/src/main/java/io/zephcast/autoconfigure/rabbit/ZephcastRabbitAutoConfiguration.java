package io.zephcast.autoconfigure.rabbit;

import javax.net.ssl.SSLContext;

import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitListenerContainers;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.RabbitSslOptions;
import io.zephcast.rabbit.RabbitTopology;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of the zephcast {@link RabbitClient} from {@code zephcast.rabbit.*}.
 * <p>
 * The connection factory, declarations and listener container are registered with
 * {@code defaultCandidate = false}: they are injected only by name, and Spring Boot's own
 * RabbitMQ auto-configuration does not see them, so both can live in one application
 * without either taking the other's beans. Boot's {@code RabbitAdmin} is also kept from
 * declaring zephcast's topology on its own connection.
 */
@AutoConfiguration
@ConditionalOnClass({ RabbitClient.class, DirectMessageListenerContainer.class })
@ConditionalOnBooleanProperty(name = "zephcast.rabbit.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ZephcastRabbitProperties.class)
public final class ZephcastRabbitAutoConfiguration {

	/** Name of the connection factory bean. */
	public static final String CONNECTION_FACTORY_BEAN = "zephcastConnectionFactory";

	/** Name of the declarables bean. */
	public static final String DECLARABLES_BEAN = "zephcastDeclarables";

	/** Name of the listener container bean. */
	public static final String LISTENER_CONTAINER_BEAN = "zephcastListenerContainer";

	/**
	 * The only admin allowed to declare zephcast's declarables: none of the context's.
	 */
	static final String DECLARING_ADMIN = "zephcastRabbitClient";

	@Bean
	@ConfigurationPropertiesBinding
	static ExchangeTypeConverter zephcastExchangeTypeConverter() {
		return new ExchangeTypeConverter();
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitConfig zephcastRabbitConfig(ZephcastRabbitProperties properties) {
		try {
			return RabbitConfig.builder()
				.url(properties.getUrl())
				.queueName(properties.getQueueName())
				.exchangeName(properties.getExchangeName())
				.routingKey(properties.getRoutingKey())
				.exchangeType(properties.getExchangeType())
				.durable(properties.isDurable())
				.autoDelete(properties.isAutoDelete())
				.prefetchCount(properties.getPrefetchCount())
				.concurrency(properties.getConsumer().getConcurrency())
				.ssl(properties.isSsl())
				.sslOptions(properties.getSslOptions())
				.shutdownTimeout(properties.getShutdownTimeout())
				.confirmTimeout(properties.getConfirmTimeout())
				.failFast(properties.isFailFast())
				.build();
		}
		catch (InvalidRabbitConfigException ex) {
			throw invalidProperty(ex);
		}
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitTopology zephcastRabbitTopology(ZephcastRabbitProperties properties, RabbitConfig config,
			Environment environment) {
		String streamName = properties.getStreamName();
		if (streamName == null || streamName.isBlank()) {
			streamName = environment.getProperty("spring.application.name", "zephcast");
		}
		return RabbitTopology.of(streamName, config);
	}

	@Bean(name = CONNECTION_FACTORY_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = CONNECTION_FACTORY_BEAN)
	CachingConnectionFactory zephcastConnectionFactory(RabbitTopology topology, RabbitConfig config,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<ZephcastConnectionFactoryCustomizer> customizers) {
		CachingConnectionFactory connectionFactory;
		try {
			connectionFactory = RabbitConnectionFactories.create(topology.streamName(), config,
					bundleSslContext(config, sslBundles.getIfAvailable()));
		}
		catch (InvalidRabbitConfigException ex) {
			throw invalidProperty(ex);
		}
		customizers.orderedStream().forEach((customizer) -> customizer.customize(connectionFactory));
		return connectionFactory;
	}

	private static @Nullable SSLContext bundleSslContext(RabbitConfig config, @Nullable SslBundles sslBundles) {
		String bundle = config.sslOptions().get(RabbitSslOptions.BUNDLE);
		if (bundle == null || !config.usesTls()) {
			return null;
		}
		String property = ZephcastPropertyNames.PREFIX + "ssl-options." + RabbitSslOptions.BUNDLE;
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

	@Bean(name = DECLARABLES_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = DECLARABLES_BEAN)
	Declarables zephcastDeclarables(RabbitTopology topology) {
		Declarables declarables = topology.declarables();
		for (Declarable declarable : declarables.getDeclarables()) {
			declarable.setAdminsThatShouldDeclare(DECLARING_ADMIN);
		}
		return declarables;
	}

	@Bean(name = LISTENER_CONTAINER_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = LISTENER_CONTAINER_BEAN)
	DirectMessageListenerContainer zephcastListenerContainer(
			@Qualifier(CONNECTION_FACTORY_BEAN) ConnectionFactory connectionFactory, RabbitTopology topology,
			RabbitConfig config, ObjectProvider<ZephcastListenerContainerCustomizer> customizers) {
		DirectMessageListenerContainer container = RabbitListenerContainers.create(connectionFactory, topology, config);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(container));
		return container;
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitClient rabbitClient(RabbitTopology topology, RabbitConfig config,
			@Qualifier(CONNECTION_FACTORY_BEAN) ConnectionFactory connectionFactory,
			@Qualifier(LISTENER_CONTAINER_BEAN) DirectMessageListenerContainer container,
			@Qualifier(DECLARABLES_BEAN) Declarables declarables, ObjectProvider<JsonMapper> jsonMapper) {
		RabbitClient.Builder builder = RabbitClient.builder(topology.streamName(), config)
			.connectionFactory(connectionFactory)
			.listenerContainer(container)
			.declarables(declarables);
		jsonMapper.ifUnique(builder::jsonMapper);
		return builder.build();
	}

	@Bean
	@ConditionalOnSingleCandidate(RabbitMessageHandler.class)
	@ConditionalOnMissingBean
	RabbitMessageHandlerSubscriber zephcastRabbitMessageHandlerSubscriber(RabbitClient client,
			RabbitMessageHandler handler) {
		return new RabbitMessageHandlerSubscriber(client, handler);
	}

	private static InvalidConfigurationPropertyValueException invalidProperty(InvalidRabbitConfigException ex) {
		return new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(ex.setting()), ex.value(),
				ex.reason());
	}

}
