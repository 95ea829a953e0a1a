package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of the zephcast {@link RabbitClient}s: the default stream from
 * {@code zephcast.rabbit.*} (these bean methods) and one per
 * {@code zephcast.rabbit.streams.<name>} ({@link ZephcastStreamsRegistrar}). Each stream
 * is one {@code RabbitClient} bean, built from its {@link RabbitConfig}; the client makes
 * its own listener container ({@link ZephcastListenerContainerCustomizer} adjusts it) and
 * declarations. The streams on AMQP 0-9-1 that reach a broker the same way share a
 * connection factory; a stream on AMQP 1.0 ({@code protocol: amqp-1-0}) opens its own
 * connection and uses none.
 * <p>
 * The connection factories are registered with {@code defaultCandidate = false}: they are
 * injected only by name, and Spring Boot's own RabbitMQ auto-configuration does not see
 * them, so both can live in one application without either taking the other's beans.
 */
@AutoConfiguration
@ConditionalOnClass({ RabbitClient.class, DirectMessageListenerContainer.class })
@ConditionalOnBooleanProperty(name = ZephcastPropertyNames.ENABLED, matchIfMissing = true)
@EnableConfigurationProperties(ZephcastRabbitProperties.class)
@Import(ZephcastStreamsRegistrar.class)
public final class ZephcastRabbitAutoConfiguration {

	/**
	 * Name of the connection factory bean the default stream, and every stream reaching
	 * the same broker, uses.
	 */
	public static final String CONNECTION_FACTORY_BEAN = "zephcastConnectionFactory";

	/** Name of the default stream's client bean. */
	private static final String DEFAULT_CLIENT_BEAN = "rabbitClient";

	/** Name of the connection details bean made from the properties. */
	static final String CONNECTION_DETAILS_BEAN = "zephcastRabbitConnectionDetails";

	@Bean(CONNECTION_DETAILS_BEAN)
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

	/**
	 * The default stream's configuration: a bean so that an application can replace it
	 * with its own (the client, and the connection factory, are built from it), as it
	 * replaces Spring Boot's {@code ConnectionFactory}.
	 */
	@Bean
	@ConditionalOnMissingBean
	RabbitConfig zephcastRabbitConfig(ZephcastStreamConfigurer configurer) {
		return configurer.defaultStream();
	}

	/**
	 * The AMQP 0-9-1 connection factory of the default stream and of the named streams
	 * that reach the same broker the same way; not made when none of them speaks AMQP
	 * 0-9-1 (see {@link ZephcastConnectionFactoryCondition}).
	 */
	@Bean(name = CONNECTION_FACTORY_BEAN, defaultCandidate = false)
	@ConditionalOnMissingBean(name = CONNECTION_FACTORY_BEAN)
	@Conditional(ZephcastConnectionFactoryCondition.class)
	CachingConnectionFactory zephcastConnectionFactory(RabbitConfig config, ZephcastStreamConfigurer configurer,
			ZephcastRabbitProperties properties, Environment environment, ObjectProvider<SslBundles> sslBundles,
			ObjectProvider<ZephcastConnectionFactoryCustomizer> customizers) {
		ZephcastStreamPlan plan = new ZephcastStreamPlan(properties, environment);
		// the default stream's consumers run on it only when it speaks AMQP 0-9-1
		int defaultConcurrency = (config.protocol() == Protocol.AMQP_0_9_1) ? config.concurrency() : 0;
		return ZephcastStreamBeans.connectionFactory(plan.defaultStreamName(), config,
				defaultConcurrency + plan.namedConcurrency(CONNECTION_FACTORY_BEAN), configurer.sslBundle(null),
				sslBundles.getIfAvailable(), customizers.orderedStream(), null);
	}

	@Bean
	@Primary
	@ConditionalOnMissingBean
	RabbitClient rabbitClient(ZephcastRabbitProperties properties, Environment environment, RabbitConfig config,
			ConfigurableListableBeanFactory beanFactory, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<ZephcastListenerContainerCustomizer> containerCustomizers,
			ObjectProvider<ZephcastClientBuilderCustomizer> builderCustomizers) {
		return ZephcastStreamBeans.client(ZephcastStreamPlan.defaultStreamName(properties, environment), config, () -> {
			// looked up for AMQP 0-9-1 only, and made a dependency as an injected
			// one would be: made first, destroyed after the client
			beanFactory.registerDependentBean(CONNECTION_FACTORY_BEAN, DEFAULT_CLIENT_BEAN);
			return beanFactory.getBean(CONNECTION_FACTORY_BEAN, ConnectionFactory.class);
		}, beanFactory.getBeanClassLoader(), jsonMapper, containerCustomizers, builderCustomizers);
	}

	/**
	 * Every stream's client: the default one is the application's own
	 * {@code RabbitClient} bean if it has a single one (or a primary one), else the
	 * auto-configured; the named streams' clients are not default candidates, so they
	 * never count.
	 */
	@Bean
	@ConditionalOnMissingBean
	RabbitClients rabbitClients(ObjectProvider<RabbitClient> defaultClient, ConfigurableListableBeanFactory beanFactory,
			ZephcastRabbitProperties properties) {
		Map<String, RabbitClient> named = new LinkedHashMap<>();
		for (String stream : properties.getStreams().keySet()) {
			named.put(stream, beanFactory.getBean(ZephcastStreamBeans.client(stream), RabbitClient.class));
		}
		return new RabbitClients(defaultClient.getIfUnique(), named);
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
