package io.zephcast.autoconfigure.rabbit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.zephcast.autoconfigure.rabbit.health.ZephcastHealthContributorAutoConfiguration;
import io.zephcast.autoconfigure.rabbit.metrics.MicrometerClientMetrics;
import io.zephcast.autoconfigure.rabbit.metrics.ZephcastClientMeterBinder;
import io.zephcast.autoconfigure.rabbit.metrics.ZephcastMetricsAutoConfiguration;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@code zephcast.rabbit[.streams.<name>].protocol}: which beans each protocol
 * gets. Nothing starts (the contexts' lifecycle processor starts no bean), so no client
 * connects and no broker is needed; a client on AMQP 1.0 that was given AMQP 0-9-1
 * infrastructure would fail its bean, as the library refuses it.
 */
class ZephcastProtocolAutoConfigurationTests {

	private static final String FACTORY = ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN;

	private final List<String> customizedConnections = new CopyOnWriteArrayList<>();

	private final List<String> customizedBuilders = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withBean("lifecycleProcessor", LifecycleProcessor.class, NothingStarts::new)
		.withBean(ZephcastConnectionFactoryCustomizer.class, () -> new ZephcastConnectionFactoryCustomizer() {

			@Override
			public void customize(CachingConnectionFactory connectionFactory) {
			}

			@Override
			public void customize(String connectionName, CachingConnectionFactory connectionFactory) {
				ZephcastProtocolAutoConfigurationTests.this.customizedConnections.add(connectionName);
			}

		})
		.withBean(ZephcastClientBuilderCustomizer.class,
				() -> (stream, builder) -> this.customizedBuilders.add(stream));

	@Test
	void theDefaultProtocolIsAmqp091() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(RabbitConfig.class).protocol()).isEqualTo(Protocol.AMQP_0_9_1);
			assertThat(context).hasBean(FACTORY);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "amqp-1-0", "AMQP_1_0", "Amqp-1-0" })
	void amqp10BindsAsTheSettingAndTheEnumSpellIt(String value) {
		this.runner.withPropertyValues("zephcast.rabbit.protocol=" + value)
			.run((context) -> assertThat(context.getBean(RabbitConfig.class).protocol()).isEqualTo(Protocol.AMQP_1_0));
	}

	@ParameterizedTest
	@ValueSource(strings = { "amqp-0-9-1", "AMQP_0_9_1" })
	void amqp091BindsAsTheSettingAndTheEnumSpellIt(String value) {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.protocol=" + value)
			.run((context) -> assertThat(context.getBean(RabbitClients.class).get("payments").config().protocol())
				.isEqualTo(Protocol.AMQP_0_9_1));
	}

	@Test
	void anUnknownProtocolFailsToBindNamingTheKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.protocol=amqp-2").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(IllegalArgumentException.class);
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(context.getStartupFailure()).cause().isInstanceOf(BindException.class);
			assertThat(analysis.getDescription()).contains("zephcast.rabbit.streams.payments.protocol")
				.contains("amqp-2");
			// Spring Boot lists the values as the enum spells them (its toString)
			assertThat(analysis.getAction()).contains("amqp-0-9-1").contains("amqp-1-0");
		});
	}

	@Test
	void anAmqp10DefaultStreamGetsItsClientAndNoConnectionFactory() {
		this.runner.withPropertyValues("zephcast.rabbit.protocol=amqp-1-0").run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClient client = context.getBean(RabbitClient.class);
			assertThat(client.config().protocol()).isEqualTo(Protocol.AMQP_1_0);
			assertThat(context.getBean(RabbitClients.class).getDefault()).isSameAs(client);
			assertThat(context).doesNotHaveBean(FACTORY).doesNotHaveBean(CachingConnectionFactory.class);
			assertThat(this.customizedConnections).isEmpty();
			assertThat(this.customizedBuilders).as("the builder customizers still apply").containsExactly("zephcast");
		});
	}

	@Test
	void namedStreamsInheritTheProtocolAndMaySetTheirOwn() {
		this.runner
			.withPropertyValues("zephcast.rabbit.protocol=amqp-1-0", "zephcast.rabbit.streams.orders.prefetch-count=5",
					"zephcast.rabbit.streams.payments.protocol=amqp-0-9-1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.getDefault().config().protocol()).isEqualTo(Protocol.AMQP_1_0);
				assertThat(clients.get("orders").config().protocol()).as("inherited").isEqualTo(Protocol.AMQP_1_0);
				assertThat(clients.get("payments").config().protocol()).isEqualTo(Protocol.AMQP_0_9_1);
				// the one stream on AMQP 0-9-1 reaches the default stream's broker: it
				// gets
				// the default connection factory, made for it alone
				assertThat(context.getBeansOfType(CachingConnectionFactory.class)).containsOnlyKeys(FACTORY);
				assertThat(this.customizedConnections).containsExactly("zephcast");
				assertThat(this.customizedBuilders).containsExactlyInAnyOrder("zephcast", "orders", "payments");
			});
	}

	@Test
	void anAmqp10NamedStreamBesideAmqp091OnesGetsNoConnectionFactory() {
		this.runner
			.withPropertyValues("zephcast.rabbit.streams.far.url=amqp://far.example:5672/",
					"zephcast.rabbit.streams.far.protocol=amqp-1-0",
					"zephcast.rabbit.streams.other.url=amqp://other.example:5672/")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.get("far").config().protocol()).isEqualTo(Protocol.AMQP_1_0);
				assertThat(clients.get("other").config().protocol()).isEqualTo(Protocol.AMQP_0_9_1);
				assertThat(context.getBeansOfType(CachingConnectionFactory.class)).containsOnlyKeys(FACTORY,
						FACTORY + ".other");
				assertThat(context.getBeanFactory().getDependenciesForBean(ZephcastStreamBeans.client("far")))
					.noneMatch((bean) -> bean.startsWith(FACTORY));
				assertThat(context.getBeanFactory().getDependenciesForBean(ZephcastStreamBeans.client("other")))
					.contains(FACTORY + ".other");
			});
	}

	@Test
	void streamsAllOnAmqp10HaveNoConnectionFactoryAtAll() {
		this.runner
			.withPropertyValues("zephcast.rabbit.protocol=amqp-1-0",
					"zephcast.rabbit.streams.far.url=amqp://far.example:5672/",
					"zephcast.rabbit.streams.near.prefetch-count=3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RabbitClients.class).names()).containsExactly("zephcast", "far", "near");
				assertThat(context).doesNotHaveBean(CachingConnectionFactory.class);
				assertThat(this.customizedConnections).isEmpty();
			});
	}

	@Test
	void anAmqp091DefaultClientStillDependsOnItsConnectionFactory() {
		this.runner.run((context) -> assertThat(context.getBeanFactory().getDependenciesForBean("rabbitClient"))
			.contains(FACTORY));
	}

	@Test
	void aUserRabbitConfigChoosesTheDefaultStreamsProtocol() {
		this.runner.withBean(RabbitConfig.class, () -> RabbitConfig.builder().protocol(Protocol.AMQP_1_0).build())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RabbitClient.class).config().protocol()).isEqualTo(Protocol.AMQP_1_0);
				assertThat(context.getBeanFactory().getDependenciesForBean("rabbitClient")).doesNotContain(FACTORY);
			});
	}

	@Test
	void anAmqp10StreamGetsMetersAndAHealthComponentLikeAnyOther() {
		this.runner
			.withConfiguration(AutoConfigurations.of(ZephcastMetricsAutoConfiguration.class,
					ZephcastHealthContributorAutoConfiguration.class, MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.protocol=amqp-1-0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(FACTORY);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.find(MicrometerClientMetrics.SEND).tags("stream", "zephcast").timers())
					.as("the client's meters, given through the builder")
					.isNotEmpty();
				assertThat(registry.find(ZephcastClientMeterBinder.SENDS_PENDING).tags("stream", "zephcast").gauge())
					.isNotNull();
				assertThat(((CompositeHealthContributor) context.getBean("zephcastHealthContributor"))
					.getContributor("zephcast")).isNotNull();
			});
	}

	@Test
	void aHandlerIsBoundToAnAmqp10StreamLikeToAnyOther() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.orders.protocol=amqp-1-0")
			.withUserConfiguration(OrdersHandler.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<RabbitMessageHandlerSubscriber.Subscription> subscriptions = context
					.getBean(RabbitMessageHandlerSubscriber.class)
					.subscriptions();
				assertThat(subscriptions).hasSize(1);
				assertThat(subscriptions.get(0).client()).isSameAs(context.getBean(RabbitClients.class).get("orders"));
				assertThat(subscriptions.get(0).handler().get()).isSameAs(context.getBean("ordersHandler"));
			});
	}

	@Test
	void withoutTheAmqp10ClientTheDefaultStreamFailsNamingItsKeyAndTheDependency() {
		this.runner.withClassLoader(new FilteredClassLoader("com.rabbitmq.client.amqp."))
			.withPropertyValues("zephcast.rabbit.protocol=amqp-1-0")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(),
						"zephcast.rabbit.protocol=amqp-1-0");
				assertThat(analysis.getDescription()).isEqualTo("Protocol amqp-1-0 for stream 'zephcast' needs "
						+ "RabbitMQ's AMQP 1.0 Java client (com.rabbitmq.client:amqp-client), which is not on the "
						+ "class path (amqp-1-0 is set by zephcast.rabbit.protocol).");
				assertThat(analysis.getAction()).isEqualTo("Add the dependency com.rabbitmq.client:amqp-client "
						+ "(RabbitMQ's AMQP 1.0 Java client) to the application, or set zephcast.rabbit.protocol to "
						+ "amqp-0-9-1.");
			});
	}

	@Test
	void withoutTheAmqp10ClientANamedStreamFailsNamingItsKey() {
		String[] properties = { "zephcast.rabbit.streams.payments.protocol=amqp-1-0" };
		this.runner.withClassLoader(new FilteredClassLoader("com.rabbitmq.client.amqp."))
			.withPropertyValues(properties)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(), properties);
				assertThat(analysis.getDescription())
					.endsWith("(amqp-1-0 is set by zephcast.rabbit.streams.payments.protocol).");
				assertThat(analysis.getAction())
					.endsWith("or set zephcast.rabbit.streams.payments.protocol to amqp-0-9-1.");
			});
	}

	@Test
	void withoutTheAmqp10ClientAnInheritingStreamSaysWhereItsProtocolIsSet() {
		String[] properties = { "zephcast.rabbit.protocol=amqp-1-0", "zephcast.rabbit.streams.payments.durable=true" };
		FailureAnalysis analysis = StartupFailures.analyze(new Amqp10ClientMissingException("payments"), properties);
		assertThat(analysis.getDescription())
			.endsWith("(amqp-1-0 is set by zephcast.rabbit.protocol, which the stream inherits).");
		assertThat(analysis.getAction()).endsWith("or set zephcast.rabbit.streams.payments.protocol to amqp-0-9-1.");
	}

	@Test
	void withoutTheAmqp10ClientAnAmqp091ApplicationStartsAsBefore() {
		this.runner.withClassLoader(new FilteredClassLoader("com.rabbitmq.client.amqp."))
			.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=2")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	/** Starts no bean, so that the wiring is checked without a broker. */
	static class NothingStarts implements LifecycleProcessor {

		@Override
		public void onRefresh() {
		}

		@Override
		public void onClose() {
		}

		@Override
		public void start() {
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrdersHandler {

		@Bean
		@Qualifier("orders")
		RabbitMessageHandler ordersHandler() {
			return (message) -> {
			};
		}

	}

}
