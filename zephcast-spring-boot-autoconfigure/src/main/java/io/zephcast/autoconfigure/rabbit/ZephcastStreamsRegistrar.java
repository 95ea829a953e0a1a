package io.zephcast.autoconfigure.rabbit;

import java.util.Objects;
import java.util.function.Supplier;

import io.zephcast.rabbit.RabbitClient;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.Assert;

import tools.jackson.databind.json.JsonMapper;

/**
 * Registers the {@link RabbitClient} of every stream declared under
 * {@code zephcast.rabbit.streams}, qualified with the stream name and not a default
 * candidate (so that injecting a plain {@code RabbitClient} still means the default
 * stream), plus a connection factory for each further broker the streams on AMQP 0-9-1
 * reach (not a default candidate either, so that Spring Boot's own RabbitMQ
 * auto-configuration does not see it). The number of beans depends on the properties, so
 * they are read here, at registration, with the environment's {@link Binder}; a bean the
 * application already defines under the same name is left alone.
 */
class ZephcastStreamsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanClassLoaderAware {

	private @Nullable Environment environment;

	private @Nullable ClassLoader classLoader;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanClassLoader(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		Assert.isInstanceOf(ListableBeanFactory.class, registry);
		Assert.state(this.environment != null, "No environment");
		ListableBeanFactory beans = (ListableBeanFactory) registry;
		ZephcastRabbitProperties properties = Binder.get(this.environment)
			.bindOrCreate(ZephcastPropertyNames.ROOT, ZephcastRabbitProperties.class);
		ZephcastStreamPlan plan = new ZephcastStreamPlan(properties, this.environment);
		plan.validate();
		for (String stream : plan.namedStreams()) {
			String connectionFactory = plan.connectionFactoryBean(stream);
			if (connectionFactory != null
					&& !connectionFactory.equals(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN)) {
				register(registry, connectionFactory, null, CachingConnectionFactory.class, () -> {
					ZephcastStreamConfigurer configurer = beans.getBean(ZephcastStreamConfigurer.class);
					return ZephcastStreamBeans.connectionFactory(stream, configurer.namedStream(stream),
							plan.namedConcurrency(connectionFactory), configurer.sslBundle(stream),
							beans.getBeanProvider(SslBundles.class).getIfAvailable(),
							beans.getBeanProvider(ZephcastConnectionFactoryCustomizer.class).orderedStream(), stream);
				});
			}
			register(registry, ZephcastStreamBeans.client(stream), stream, RabbitClient.class,
					() -> ZephcastStreamBeans.client(stream,
							beans.getBean(ZephcastStreamConfigurer.class).namedStream(stream),
							() -> beans.getBean(Objects.requireNonNull(connectionFactory, stream),
									ConnectionFactory.class),
							this.classLoader, beans.getBeanProvider(JsonMapper.class),
							beans.getBeanProvider(ZephcastListenerContainerCustomizer.class),
							beans.getBeanProvider(ZephcastClientBuilderCustomizer.class)),
					// made first and destroyed last: what the client uses (a stream on
					// AMQP 1.0 uses no connection factory)
					(connectionFactory != null) ? new String[] { connectionFactory } : new String[0]);
		}
	}

	private static <T> void register(BeanDefinitionRegistry registry, String name, @Nullable String qualifier,
			Class<T> type, Supplier<T> supplier, String... dependsOn) {
		if (registry.containsBeanDefinition(name)) {
			return;
		}
		RootBeanDefinition definition = new RootBeanDefinition(type, supplier);
		// injected only by qualifier or name: a plain RabbitClient stays the default
		// stream's, and Boot's conditions on ConnectionFactory ignore it
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
