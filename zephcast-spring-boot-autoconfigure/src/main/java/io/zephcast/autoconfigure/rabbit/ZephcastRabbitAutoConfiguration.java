package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.internal.RabbitTopology;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the zephcast {@link RabbitClient}s: the default stream from
 * {@code zephcast.rabbit.*} (these bean methods) and one per
 * {@code zephcast.rabbit.streams.<name>} ({@link ZephcastStreamsRegistrar}).
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
@Import(ZephcastStreamsRegistrar.class)
public final class ZephcastRabbitAutoConfiguration {

	/**
	 * Name of the connection factory bean the default stream, and every stream reaching
	 * the same broker, uses.
	 */
	public static final String CONNECTION_FACTORY_BEAN = "zephcastConnectionFactory";

	/** Name of the default stream's declarables bean. */
	public static final String DECLARABLES_BEAN = "zephcastDeclarables";

	/** Name of the default stream's listener container bean. */
	public static final String LISTENER_CONTAINER_BEAN = "zephcastListenerContainer";

	/**
	 * The only admin allowed to declare zephcast's declarables: none of the context's.
	 */
	static final String DECLARING_ADMIN = ZephcastStreamBeans.DECLARING_ADMIN;

	@Bean
	@ConfigurationPropertiesBinding
	static ExchangeTypeConverter zephcastExchangeTypeConverter() {
		return new ExchangeTypeConverter();
	}

	@Bean
	@ConditionalOnMissingBean
	ZephcastRabbitConnectionDetails zephcastRabbitConnectionDetails(ZephcastRabbitProperties properties) {
		return new PropertiesZephcastRabbitConnectionDetails(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	ZephcastStreamConfigurer zephcastStreamConfigurer(ZephcastRabbitProperties properties,
			ZephcastRabbitConnectionDetails connectionDetails) {
		return new ZephcastStreamConfigurer(properties, connectionDetails);
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitConfig zephcastRabbitConfig(ZephcastStreamConfigurer configurer) {
		return configurer.defaultStream();
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitTopology zephcastRabbitTopology(ZephcastRabbitProperties properties, RabbitConfig config,
			Environment environment) {
		return RabbitTopology.of(ZephcastStreamPlan.defaultStreamName(properties, environment), config);
	}

	@Bean(name = CONNECTION_FACTORY_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = CONNECTION_FACTORY_BEAN)
	CachingConnectionFactory zephcastConnectionFactory(RabbitTopology topology, RabbitConfig config,
			ZephcastRabbitProperties properties, Environment environment, ObjectProvider<SslBundles> sslBundles,
			ObjectProvider<ZephcastConnectionFactoryCustomizer> customizers) {
		int namedConcurrency = new ZephcastStreamPlan(properties, environment)
			.namedConcurrency(CONNECTION_FACTORY_BEAN);
		return ZephcastStreamBeans.connectionFactory(topology.streamName(), config,
				config.concurrency() + namedConcurrency, sslBundles.getIfAvailable(), customizers.orderedStream(),
				ZephcastPropertyNames.PREFIX);
	}

	@Bean(name = DECLARABLES_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = DECLARABLES_BEAN)
	Declarables zephcastDeclarables(RabbitTopology topology) {
		return ZephcastStreamBeans.declarables(topology);
	}

	@Bean(name = LISTENER_CONTAINER_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = LISTENER_CONTAINER_BEAN)
	DirectMessageListenerContainer zephcastListenerContainer(
			@Qualifier(CONNECTION_FACTORY_BEAN) ConnectionFactory connectionFactory, RabbitTopology topology,
			RabbitConfig config, ObjectProvider<ZephcastListenerContainerCustomizer> customizers) {
		return ZephcastStreamBeans.listenerContainer(connectionFactory, topology, config, customizers.orderedStream());
	}

	@Bean
	@Primary
	@ConditionalOnMissingBean
	RabbitClient rabbitClient(RabbitTopology topology, RabbitConfig config,
			@Qualifier(CONNECTION_FACTORY_BEAN) ConnectionFactory connectionFactory,
			@Qualifier(LISTENER_CONTAINER_BEAN) DirectMessageListenerContainer container,
			@Qualifier(DECLARABLES_BEAN) Declarables declarables, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<ZephcastClientBuilderCustomizer> customizers) {
		return ZephcastStreamBeans.client(topology, config, connectionFactory, container, declarables,
				jsonMapper.getIfUnique(), customizers.orderedStream());
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitClients rabbitClients(ConfigurableListableBeanFactory beanFactory, ZephcastRabbitProperties properties) {
		Map<String, RabbitClient> named = new LinkedHashMap<>();
		for (String stream : properties.getStreams().keySet()) {
			named.put(stream, beanFactory.getBean(ZephcastStreamBeans.client(stream), RabbitClient.class));
		}
		return new RabbitClients(defaultClient(beanFactory, named.keySet()), named);
	}

	/**
	 * The application's own RabbitClient bean if it has one (a single one, or the
	 * primary), else the auto-configured default stream's.
	 */
	private static @Nullable RabbitClient defaultClient(ConfigurableListableBeanFactory beanFactory,
			Iterable<String> namedStreams) {
		List<String> candidates = new ArrayList<>(List.of(beanFactory.getBeanNamesForType(RabbitClient.class)));
		namedStreams.forEach((stream) -> candidates.remove(ZephcastStreamBeans.client(stream)));
		if (candidates.size() == 1) {
			return beanFactory.getBean(candidates.get(0), RabbitClient.class);
		}
		List<String> primary = candidates.stream()
			.filter((name) -> beanFactory.containsBeanDefinition(name)
					&& beanFactory.getMergedBeanDefinition(name).isPrimary())
			.toList();
		return (primary.size() == 1) ? beanFactory.getBean(primary.get(0), RabbitClient.class) : null;
	}

	@Bean
	@ConditionalOnBean(RabbitMessageHandler.class)
	@ConditionalOnMissingBean
	RabbitMessageHandlerSubscriber zephcastRabbitMessageHandlerSubscriber(ConfigurableListableBeanFactory beanFactory,
			RabbitClients clients) {
		List<RabbitMessageHandlerSubscriber.Subscription> subscriptions = new ArrayList<>();
		ZephcastHandlerBindings.resolve(beanFactory, clients)
			.forEach((client, handler) -> subscriptions.add(new RabbitMessageHandlerSubscriber.Subscription(client,
					() -> beanFactory.getBean(handler, RabbitMessageHandler.class))));
		return new RabbitMessageHandlerSubscriber(subscriptions);
	}

}
