package io.zephcast.autoconfigure.rabbit;

import java.util.function.Supplier;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.internal.RabbitTopology;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.Assert;

/**
 * Registers the beans of every stream declared under {@code zephcast.rabbit.streams}: its
 * {@link RabbitConfig}, {@link RabbitTopology}, declarations, listener container and
 * {@link RabbitClient}, each qualified with the stream name and not a default candidate
 * (so that injecting a plain {@code RabbitClient} still means the default stream, and
 * Spring Boot's own RabbitMQ auto-configuration does not see them), plus a connection
 * factory for each further broker the streams reach. The properties are bound here, at
 * registration, because the number of beans depends on them; a bean the application
 * already defines under the same name is left alone.
 */
class ZephcastStreamsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

	private Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		Assert.isInstanceOf(ListableBeanFactory.class, registry);
		ListableBeanFactory beans = (ListableBeanFactory) registry;
		ZephcastStreamPlan plan = new ZephcastStreamPlan(bind(), this.environment);
		plan.validate();
		for (String stream : plan.namedStreams()) {
			String connectionFactory = plan.connectionFactoryBean(stream);
			if (!connectionFactory.equals(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN)) {
				register(registry, connectionFactory, null, CachingConnectionFactory.class,
						() -> ZephcastStreamBeans.connectionFactory(stream,
								beans.getBean(ZephcastStreamBeans.config(stream), RabbitConfig.class),
								plan.namedConcurrency(connectionFactory),
								beans.getBeanProvider(SslBundles.class).getIfAvailable(),
								beans.getBeanProvider(ZephcastConnectionFactoryCustomizer.class).orderedStream(),
								ZephcastPropertyNames.prefix(stream)));
			}
			register(registry, ZephcastStreamBeans.config(stream), stream, RabbitConfig.class,
					() -> beans.getBean(ZephcastStreamConfigurer.class).namedStream(stream));
			register(registry, ZephcastStreamBeans.topology(stream), stream, RabbitTopology.class, () -> RabbitTopology
				.of(stream, beans.getBean(ZephcastStreamBeans.config(stream), RabbitConfig.class)));
			register(registry, ZephcastStreamBeans.declarables(stream), stream, Declarables.class,
					() -> ZephcastStreamBeans.declarables(topology(beans, stream)),
					ZephcastStreamBeans.topology(stream));
			register(registry, ZephcastStreamBeans.listenerContainer(stream), stream,
					DirectMessageListenerContainer.class,
					() -> ZephcastStreamBeans.listenerContainer(
							beans.getBean(connectionFactory, ConnectionFactory.class), topology(beans, stream),
							config(beans, stream),
							beans.getBeanProvider(ZephcastListenerContainerCustomizer.class).orderedStream()),
					connectionFactory);
			register(registry, ZephcastStreamBeans.client(stream), stream, RabbitClient.class,
					() -> ZephcastStreamBeans.client(topology(beans, stream), config(beans, stream),
							beans.getBean(connectionFactory, ConnectionFactory.class),
							beans.getBean(ZephcastStreamBeans.listenerContainer(stream),
									DirectMessageListenerContainer.class),
							beans.getBean(ZephcastStreamBeans.declarables(stream), Declarables.class),
							beans.getBeanProvider(JsonMapper.class).getIfUnique(),
							beans.getBeanProvider(ZephcastClientBuilderCustomizer.class).orderedStream()),
					// made first and destroyed last: what the client uses
					connectionFactory, ZephcastStreamBeans.listenerContainer(stream),
					ZephcastStreamBeans.declarables(stream));
		}
	}

	private static RabbitTopology topology(ListableBeanFactory beans, String stream) {
		return beans.getBean(ZephcastStreamBeans.topology(stream), RabbitTopology.class);
	}

	private static RabbitConfig config(ListableBeanFactory beans, String stream) {
		return beans.getBean(ZephcastStreamBeans.config(stream), RabbitConfig.class);
	}

	private ZephcastRabbitProperties bind() {
		// the converter the properties bean binds with, so that a bad exchange type reads
		// the same here
		ApplicationConversionService conversionService = new ApplicationConversionService();
		conversionService.addConverter(new ExchangeTypeConverter());
		Binder binder = new Binder(ConfigurationPropertySources.get(this.environment),
				new PropertySourcesPlaceholdersResolver(this.environment), conversionService);
		return binder.bindOrCreate("zephcast.rabbit", Bindable.of(ZephcastRabbitProperties.class));
	}

	private static <T> void register(BeanDefinitionRegistry registry, String name,
			@org.jspecify.annotations.Nullable String qualifier, Class<T> type, Supplier<T> supplier,
			String... dependsOn) {
		if (registry.containsBeanDefinition(name)) {
			return;
		}
		RootBeanDefinition definition = new RootBeanDefinition(type, supplier);
		// injected only by qualifier or name: a plain RabbitClient (or RabbitConfig, ...)
		// stays the default stream's, and Boot's conditions on ConnectionFactory ignore
		// it
		definition.setDefaultCandidate(false);
		if (qualifier != null) {
			definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, qualifier));
		}
		if (dependsOn.length > 0) {
			definition.setDependsOn(dependsOn);
		}
		registry.registerBeanDefinition(name, definition);
	}

}
