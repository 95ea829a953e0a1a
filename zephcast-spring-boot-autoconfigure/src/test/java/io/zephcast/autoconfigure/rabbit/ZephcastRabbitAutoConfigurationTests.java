package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.Map;

import io.zephcast.rabbit.AckCoalescing;
import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.PublisherOptions;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueOverflow;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of {@link ZephcastRabbitAutoConfiguration}. The contexts start, so the client
 * connects to the test broker.
 */
class ZephcastRabbitAutoConfigurationTests {

	private final CapturedContainers containers = new CapturedContainers();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
		.withBean(CapturedContainers.class, () -> this.containers);

	@Test
	void defaultsGiveAConnectedClientWithConfirmsAndAManualAckContainer() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClient client = context.getBean(RabbitClient.class);
			assertThat(client.isConnected()).isTrue();
			assertThat(client.streamName()).isEqualTo("zephcast");
			RabbitConfig defaults = RabbitConfig.builder().url(RabbitBroker.url()).build();
			assertThat(context.getBean(RabbitConfig.class)).isEqualTo(defaults);
			assertThat(defaults.exchangeType()).isEqualTo(ExchangeType.DIRECT);
			assertThat(defaults.durable()).isTrue();
			assertThat(defaults.autoDelete()).isFalse();
			assertThat(defaults.prefetchCount()).isEqualTo(1);
			assertThat(defaults.concurrency()).isEqualTo(1);
			assertThat(defaults.ssl()).isFalse();

			CachingConnectionFactory connectionFactory = context
				.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN, CachingConnectionFactory.class);
			assertThat(ReflectionTestUtils.getField(connectionFactory, "confirmType"))
				.isEqualTo(ConfirmType.CORRELATED);
			assertThat(connectionFactory.isPublisherReturns()).isTrue();

			assertThat(context.getBeansOfType(DirectMessageListenerContainer.class))
				.as("the client's own container is no bean")
				.isEmpty();
			assertThat(context.getBeansOfType(Declarable.class)).as("nor are its declarations").isEmpty();
			DirectMessageListenerContainer container = this.containers.of("zephcast");
			assertThat(container.getAcknowledgeMode()).isEqualTo(AcknowledgeMode.MANUAL);
			assertThat(ReflectionTestUtils.getField(container, "prefetchCount")).isEqualTo(1);
			assertThat(ReflectionTestUtils.getField(container, "consumersPerQueue")).isEqualTo(1);
			assertThat(container.isAutoStartup()).isFalse();
			assertThat(container.isRunning()).as("a send-only application never consumes").isFalse();
			assertThat(container.getQueueNames()).containsExactly("zephcast");
			assertThat(context).doesNotHaveBean(RabbitMessageHandlerSubscriber.class);
		});
	}

	@Test
	void streamNameDefaultsToTheApplicationName() {
		this.runner.withPropertyValues("spring.application.name=billing")
			.run((context) -> assertThat(context.getBean(RabbitClient.class).streamName()).isEqualTo("billing"));
	}

	@Test
	void everyPropertyReachesTheClientAndItsBeans() {
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=orders-service", "zephcast.rabbit.queue-name=zc-ac-orders",
					"zephcast.rabbit.exchange-name=zc-ac-events", "zephcast.rabbit.routing-key=orders.#",
					"zephcast.rabbit.exchange-type=topic", "zephcast.rabbit.durable=false",
					"zephcast.rabbit.auto-delete=true", "zephcast.rabbit.prefetch-count=25",
					"zephcast.rabbit.consumer.concurrency=3", "zephcast.rabbit.shutdown-timeout=3s",
					"zephcast.rabbit.confirm-timeout=7s", "zephcast.rabbit.fail-fast=false",
					// RabbitMQ 4 deprecates the transient queue: the client leaves it
					// alone
					"zephcast.rabbit.declare=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitConfig config = context.getBean(RabbitConfig.class);
				assertThat(config).isEqualTo(RabbitConfig.builder()
					.url(RabbitBroker.url())
					.queueName("zc-ac-orders")
					.exchangeName("zc-ac-events")
					.routingKey("orders.#")
					.exchangeType(ExchangeType.TOPIC)
					.durable(false)
					.autoDelete(true)
					.prefetchCount(25)
					.concurrency(3)
					.shutdownTimeout(Duration.ofSeconds(3))
					.confirmTimeout(Duration.ofSeconds(7))
					.failFast(false)
					.declare(DeclareMode.OFF)
					.build());
				RabbitClient client = context.getBean(RabbitClient.class);
				assertThat(client.streamName()).isEqualTo("orders-service");
				assertThat(client.config()).isSameAs(config);
				DirectMessageListenerContainer container = this.containers.of("zc-ac-orders");
				assertThat(ReflectionTestUtils.getField(container, "prefetchCount")).isEqualTo(25);
				assertThat(ReflectionTestUtils.getField(container, "consumersPerQueue")).isEqualTo(3);
			});
		// auto-delete: the exchange goes with its last binding, the queue had no
		// consumer; remove both
		RabbitBroker.delete(java.util.List.of("zc-ac-orders"), java.util.List.of("zc-ac-events"));
	}

	@Test
	void topologyRetryAndDeclarePropertiesReachTheConfig() {
		this.runner.withPropertyValues("zephcast.rabbit.declare=false", "zephcast.rabbit.queue-name=zc-ac-quorum",
				"zephcast.rabbit.exchange-name=zc-ac-orders", "zephcast.rabbit.exchange-type=topic",
				"zephcast.rabbit.binding-keys=orders.created,orders.updated", "zephcast.rabbit.queue-type=quorum",
				"zephcast.rabbit.queue.message-ttl=1m", "zephcast.rabbit.queue.max-length=1000",
				"zephcast.rabbit.queue.max-length-bytes=1MB", "zephcast.rabbit.queue.overflow=reject-publish",
				"zephcast.rabbit.queue.single-active-consumer=true",
				"zephcast.rabbit.queue.dead-letter-exchange=zc-ac-dlx",
				"zephcast.rabbit.queue.dead-letter-routing-key=parked", "zephcast.rabbit.queue.delivery-limit=5",
				"zephcast.rabbit.queue.arguments.x-queue-leader-locator=balanced",
				"zephcast.rabbit.queue.arguments.x-quorum-initial-group-size=3",
				"zephcast.rabbit.consumer.retry.max-attempts=5",
				"zephcast.rabbit.consumer.retry.initial-interval=500ms", "zephcast.rabbit.consumer.retry.multiplier=3",
				"zephcast.rabbit.consumer.retry.max-interval=1m", "zephcast.rabbit.consumer.retry.jitter=0.1",
				"zephcast.rabbit.consumer.dead-letter-queue=false",
				"zephcast.rabbit.consumer.ack-coalescing.max-messages=64",
				"zephcast.rabbit.consumer.ack-coalescing.max-delay=5ms", "zephcast.rabbit.publisher.max-in-flight=500",
				"zephcast.rabbit.publisher.max-block=250ms", "zephcast.rabbit.publisher.max-message-size=2MB")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitConfig config = context.getBean(RabbitConfig.class);
				assertThat(config.declare()).isEqualTo(DeclareMode.OFF);
				assertThat(config.queueType()).isEqualTo(QueueType.QUORUM);
				assertThat(config.bindingKeys()).containsExactly("orders.created", "orders.updated");
				assertThat(config.queue()).isEqualTo(QueueArguments.builder()
					.messageTtl(Duration.ofMinutes(1))
					.maxLength(1000L)
					.maxLengthBytes(1_048_576L)
					.overflow(QueueOverflow.REJECT_PUBLISH)
					.singleActiveConsumer(true)
					.deadLetterExchange("zc-ac-dlx")
					.deadLetterRoutingKey("parked")
					.deliveryLimit(5)
					.argument("x-queue-leader-locator", "balanced")
					.argument("x-quorum-initial-group-size", 3L)
					.build());
				assertThat(config.retry()).isEqualTo(RetryPolicy.builder()
					.maxAttempts(5)
					.initialInterval(Duration.ofMillis(500))
					.multiplier(3.0)
					.maxInterval(Duration.ofMinutes(1))
					.jitter(0.1)
					.build());
				assertThat(config.deadLetterQueue()).isFalse();
				assertThat(config.ackCoalescing()).isEqualTo(AckCoalescing.of(64, Duration.ofMillis(5)));
				assertThat(config.publisher()).isEqualTo(PublisherOptions.builder()
					.maxInFlight(500)
					.maxBlock(Duration.ofMillis(250))
					.maxMessageSize(2L * 1024 * 1024)
					.build());
				assertThat(RabbitBroker.management().queue("zc-ac-quorum")).as("declare=false declares nothing")
					.isEmpty();
			});
	}

	@Test
	void headersBindingArgumentsBindAndVerifyFailsStartupWhenTheTopologyIsMissing() {
		String[] tenants = { "zephcast.rabbit.exchange-name=zc-ac-tenants", "zephcast.rabbit.exchange-type=headers",
				"zephcast.rabbit.binding-arguments.x-match=all", "zephcast.rabbit.binding-arguments.tenant=a" };
		this.runner.withPropertyValues(tenants).withPropertyValues("zephcast.rabbit.declare=false").run((context) -> {
			RabbitConfig config = context.getBean(RabbitConfig.class);
			assertThat(config.bindingArguments()).containsExactly(Map.entry("x-match", "all"),
					Map.entry("tenant", "a"));
		});
		this.runner.withPropertyValues(tenants).withPropertyValues("zephcast.rabbit.declare=verify").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("NOT_FOUND");
			assertThat(context.getStartupFailure()).hasStackTraceContaining("declare=verify")
				.hasStackTraceContaining("does not exist");
		});
	}

	@Test
	void badPoisonAndTopologySettingsFailStartupNamingTheProperty() {
		assertStartupFails("zephcast.rabbit.consumer.retry.max-attempts=0",
				"zephcast.rabbit.consumer.retry.max-attempts", "at least 1");
		assertStartupFails("zephcast.rabbit.queue.delivery-limit=5", "zephcast.rabbit.queue.delivery-limit",
				"only quorum queues");
		assertStartupFails("zephcast.rabbit.streams.audit.consumer.ack-coalescing.max-delay=0s",
				"zephcast.rabbit.streams.audit.consumer.ack-coalescing.max-delay", "between 1 ms and 1 minute");
		assertStartupFails("zephcast.rabbit.streams.audit.publisher.max-in-flight=0",
				"zephcast.rabbit.streams.audit.publisher.max-in-flight", "at least 1");
		assertStartupFails("zephcast.rabbit.publisher.max-message-size=1GB",
				"zephcast.rabbit.publisher.max-message-size", "512 MiB");
		assertStartupFails("zephcast.rabbit.streams.audit.queue.max-length=-1",
				"zephcast.rabbit.streams.audit.queue.max-length", "negative");
		assertStartupFails("zephcast.rabbit.queue.arguments.x-max-length=5", "zephcast.rabbit.queue.arguments",
				"queue.maxLength");
	}

	private void assertStartupFails(String property, String named, String reason) {
		this.runner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining(named)
				.hasMessageContaining(reason);
		});
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnClient() {
		this.runner.withUserConfiguration(OwnClientConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(RabbitClient.class);
			assertThat(context.getBean(RabbitClient.class).streamName()).isEqualTo("mine");
		});
	}

	@Test
	void usesTheApplicationsConnectionFactoryAndConfig() {
		this.runner.withUserConfiguration(OwnInfrastructureConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClient client = context.getBean(RabbitClient.class);
			assertThat(client.config().prefetchCount()).isEqualTo(7);
			assertThat(context.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN))
				.isSameAs(context.getBean(OwnInfrastructureConfiguration.class).connectionFactory);
		});
	}

	@Test
	void customizersAdjustTheConnectionFactoryAndTheContainerTheClientCreatesInOrder() {
		this.runner.withBean(ZephcastConnectionFactoryCustomizer.class, () -> (cf) -> cf.setChannelCacheSize(42))
			.withBean("later", ZephcastListenerContainerCustomizer.class, () -> new OrderedContainerCustomizer(2, 5678))
			.withBean("earlier", ZephcastListenerContainerCustomizer.class,
					() -> new OrderedContainerCustomizer(1, 1234))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context
					.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN, CachingConnectionFactory.class)
					.getChannelCacheSize()).isEqualTo(42);
				assertThat(ReflectionTestUtils.getField(this.containers.of("zephcast"), "monitorInterval"))
					.as("the customizers ran in @Order on the client's container: the later one last")
					.isEqualTo(5678L);
			});
	}

	@Test
	void disabledRegistersNothing() {
		this.runner.withPropertyValues("zephcast.rabbit.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RabbitClient.class);
			assertThat(context).doesNotHaveBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
			assertThat(context).doesNotHaveBean(RabbitConfig.class);
		});
	}

	/**
	 * Without a converter of zephcast's own: Spring Boot's enum binding fails, and its
	 * failure analysis names the property, the value and the allowed values.
	 */
	@Test
	void anUnknownExchangeTypeFailsStartupNamingThePropertyAndTheAllowedValues() {
		this.runner.withPropertyValues("zephcast.rabbit.exchange-type=banana").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(),
					"zephcast.rabbit.exchange-type=banana");
			assertThat(analysis.getDescription()).contains("zephcast.rabbit.exchange-type").contains("\"banana\"");
			assertThat(analysis.getAction()).contains("direct", "fanout", "headers", "topic");
		});
	}

	@Test
	void aNamedStreamsUnknownExchangeTypeNamesItsKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.exchange-type=banana").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(),
					"zephcast.rabbit.streams.payments.exchange-type=banana");
			assertThat(analysis.getDescription()).contains("zephcast.rabbit.streams.payments.exchange-type");
			assertThat(analysis.getAction()).contains("direct", "fanout", "headers", "topic");
		});
	}

	@Test
	void aNegativePrefetchFailsStartupNamingTheProperty() {
		this.runner.withPropertyValues("zephcast.rabbit.prefetch-count=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("zephcast.rabbit.prefetch-count")
				.hasMessageContaining("'-1'")
				.hasMessageContaining("between 1 and 65535");
		});
	}

	@Test
	void aBadUrlFailsStartupNamingThePropertyWithoutTheCredentials() {
		this.runner.withPropertyValues("zephcast.rabbit.url=http://admin:hunter2@localhost:5672/").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("zephcast.rabbit.url")
				.hasMessageContaining("amqp://")
				.hasMessageNotContaining("hunter2");
		});
	}

	@Test
	void aTopicExchangeWithoutNameFailsStartupNamingTheProperty() {
		this.runner.withPropertyValues("zephcast.rabbit.exchange-type=fanout").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("zephcast.rabbit.exchange-type")
				.hasMessageContaining("exchangeName");
		});
	}

	@Test
	void livesBesideSpringBootsOwnRabbitAutoConfiguration() {
		this.runner.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.exchange-name=zc-ac-side-by-side")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(RabbitClient.class);
				assertThat(context).hasSingleBean(RabbitTemplate.class);
				assertThat(context).hasSingleBean(RabbitAdmin.class);
				ConnectionFactory bootFactory = context.getBean(ConnectionFactory.class);
				assertThat(bootFactory).isSameAs(context.getBean("rabbitConnectionFactory"));
				assertThat(context.getBean(RabbitTemplate.class).getConnectionFactory()).isSameAs(bootFactory);
				assertThat(context.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN))
					.isNotSameAs(bootFactory);
				assertThat(context.getBeansOfType(Declarable.class))
					.as("zephcast's declarations are the client's, out of reach of Boot's RabbitAdmin")
					.isEmpty();
			});
		RabbitBroker.delete(java.util.List.of(), java.util.List.of("zc-ac-side-by-side"));
	}

	@Test
	void aHandlerBeanIsSubscribed() {
		this.runner.withBean(io.zephcast.rabbit.RabbitMessageHandler.class, () -> (message) -> {
		}).withPropertyValues("zephcast.rabbit.stream-name=zc-ac-handler").run((context) -> {
			assertThat(context).hasSingleBean(RabbitMessageHandlerSubscriber.class);
			assertThat(context.getBean(RabbitMessageHandlerSubscriber.class).isRunning()).isTrue();
			assertThat(this.containers.of("zc-ac-handler").isRunning()).isTrue();
		});
		RabbitBroker.delete(RabbitBroker.withClientQueues("zc-ac-handler"), java.util.List.of());
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnClientConfiguration {

		@Bean
		RabbitClient myClient() {
			return new RabbitClient("mine", RabbitConfig.builder().url(RabbitBroker.url()).build());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnInfrastructureConfiguration {

		final CachingConnectionFactory connectionFactory;

		OwnInfrastructureConfiguration() {
			this.connectionFactory = RabbitConnectionFactories.create("own", ownConfig());
		}

		@Bean
		RabbitConfig ownConfig() {
			return RabbitConfig.builder().url(RabbitBroker.url()).prefetchCount(7).build();
		}

		@Bean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN)
		CachingConnectionFactory ownConnectionFactory() {
			return this.connectionFactory;
		}

	}

	/**
	 * Sets the container's monitor interval, in an order.
	 */
	static final class OrderedContainerCustomizer implements ZephcastListenerContainerCustomizer, Ordered {

		private final int order;

		private final long monitorInterval;

		OrderedContainerCustomizer(int order, long monitorInterval) {
			this.order = order;
			this.monitorInterval = monitorInterval;
		}

		@Override
		public void customize(DirectMessageListenerContainer container) {
			container.setMonitorInterval(this.monitorInterval);
		}

		@Override
		public int getOrder() {
			return this.order;
		}

	}

}
