package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.List;

import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.internal.RabbitTopology;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wiring of several streams: beans per stream, qualifiers, inheritance, shared connection
 * factories, user beans, handler binding and bad input. The contexts start, so the
 * clients connect to the test broker; none consumes, so no queue is left behind.
 */
class ZephcastStreamsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

	@Test
	void noNamedStreamGivesTheDefaultStreamAlone() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClients clients = context.getBean(RabbitClients.class);
			assertThat(clients.names()).containsExactly("zephcast");
			assertThat(clients.getDefault()).isSameAs(context.getBean(RabbitClient.class));
			assertThat(context.getBeansOfType(RabbitClient.class)).hasSize(1);
		});
	}

	@Test
	void oneNamedStreamHasItsOwnBeansQualifiedByItsName() {
		this.runner
			.withPropertyValues("zephcast.rabbit.streams.payments.exchange-name=zc-streams-payments",
					"zephcast.rabbit.streams.payments.prefetch-count=5")
			.withUserConfiguration(PaymentsUser.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClient payments = context.getBean(PaymentsUser.class).payments;
				assertThat(payments.streamName()).isEqualTo("payments");
				assertThat(payments.isConnected()).isTrue();
				assertThat(context.getBean(PaymentsUser.class).primary).isSameAs(context.getBean("rabbitClient"));
				assertThat(context.getBean(RabbitClient.class).streamName()).isEqualTo("zephcast");
				assertThat(context.getBean(RabbitConfig.class).prefetchCount()).as("the default stream's").isEqualTo(1);
				assertThat(payments.config().prefetchCount()).isEqualTo(5);
				assertThat(context.getBean(RabbitClients.class).get("payments")).isSameAs(payments);
				assertThat(context.getBean(ZephcastStreamBeans.declarables("payments"), Declarables.class)
					.getDeclarables()).hasSize(1);
				DirectMessageListenerContainer container = context
					.getBean(ZephcastStreamBeans.listenerContainer("payments"), DirectMessageListenerContainer.class);
				assertThat(container.getQueueNames()).containsExactly("payments");
				assertThat(container.getConnectionFactory()).as("one broker, one connection factory for every stream")
					.isSameAs(context.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN));
			});
		RabbitBroker.delete(List.of(), List.of("zc-streams-payments"));
	}

	@Test
	void namedStreamsInheritConnectionSettingsAndNotTopology() {
		this.runner.withPropertyValues("zephcast.rabbit.confirm-timeout=7s", "zephcast.rabbit.shutdown-timeout=2s",
				"zephcast.rabbit.prefetch-count=9", "zephcast.rabbit.queue-name=zc-streams-default-q",
				"zephcast.rabbit.streams.a.confirm-timeout=3s", "zephcast.rabbit.streams.b.consumer.concurrency=2",
				"zephcast.rabbit.streams.c.exchange-type=topic", "zephcast.rabbit.streams.c.exchange-name=zc-streams-c")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.names()).containsExactly("zephcast", "a", "b", "c");
				assertThat(clients).hasSize(4);
				RabbitConfig a = clients.get("a").config();
				assertThat(a.url()).isEqualTo(RabbitBroker.url());
				assertThat(a.confirmTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(a.shutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(a.prefetchCount()).as("topology is not inherited").isEqualTo(1);
				assertThat(a.queueName()).isEmpty();
				assertThat(RabbitTopology.of("a", clients.get("a").config()).queueName()).isEqualTo("a");
				assertThat(clients.get("b").config().concurrency()).isEqualTo(2);
				assertThat(clients.get("b").config().confirmTimeout()).isEqualTo(Duration.ofSeconds(7));
				assertThat(clients.get("c").config().exchangeType()).isEqualTo(ExchangeType.TOPIC);
				assertThat(context.getBeansOfType(CachingConnectionFactory.class)).hasSize(1);
			});
		RabbitBroker.delete(List.of("zc-streams-default-q"), List.of("zc-streams-c"));
	}

	@Test
	void aStreamReachingAnotherBrokerGetsItsOwnConnectionFactory() {
		String otherUrl = RabbitBroker.url().replace("localhost", "127.0.0.1");
		this.runner
			.withPropertyValues("zephcast.rabbit.streams.far.url=" + otherUrl,
					"zephcast.rabbit.streams.far2.url=" + otherUrl, "zephcast.rabbit.streams.near.prefetch-count=3")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.get("far").config().url()).isEqualTo(otherUrl);
				Object shared = context.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
				Object far = context.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN + ".far");
				assertThat(far).isNotSameAs(shared);
				assertThat(context
					.getBean(ZephcastStreamBeans.listenerContainer("far2"), DirectMessageListenerContainer.class)
					.getConnectionFactory()).isSameAs(far);
				assertThat(context
					.getBean(ZephcastStreamBeans.listenerContainer("near"), DirectMessageListenerContainer.class)
					.getConnectionFactory()).isSameAs(shared);
			});
	}

	@Test
	void theSharedConnectionDispatchesOnEnoughThreadsForEveryConsumer() {
		int cores = Runtime.getRuntime().availableProcessors();
		this.runner
			.withPropertyValues("zephcast.rabbit.consumer.concurrency=" + cores,
					"zephcast.rabbit.streams.more.consumer.concurrency=" + cores)
			.run((context) -> {
				CachingConnectionFactory factory = context
					.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN, CachingConnectionFactory.class);
				// the library's consumer dispatch, over a pool of threads
				Object dispatch = ReflectionTestUtils.getField(factory, "executorService");
				assertThat(dispatch).isNotNull();
				Object pool = ReflectionTestUtils.getField(dispatch, "pool");
				assertThat(pool).isInstanceOf(java.util.concurrent.ThreadPoolExecutor.class);
				assertThat(((java.util.concurrent.ThreadPoolExecutor) pool).getMaximumPoolSize())
					.isEqualTo(2 * cores + 1);
			});
	}

	@Test
	void aUserClientReplacesTheDefaultStreamOnly() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=4")
			.withUserConfiguration(OwnClientConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean("rabbitClient");
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.names()).containsExactly("mine", "payments");
				assertThat(clients.getDefault()).isSameAs(context.getBean("myClient"));
				assertThat(context.getBean(RabbitClient.class)).isSameAs(context.getBean("myClient"));
				assertThat(clients.get("payments").config().prefetchCount()).isEqualTo(4);
			});
	}

	@Test
	void aUserConfigReplacesTheDefaultStreamsConfigOnly() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=4")
			.withBean(RabbitConfig.class, () -> RabbitConfig.builder().url(RabbitBroker.url()).prefetchCount(7).build())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RabbitClient.class).config().prefetchCount()).isEqualTo(7);
				assertThat(context.getBean(RabbitClients.class).get("payments").config().prefetchCount()).isEqualTo(4);
				assertThat(context.getBean(ZephcastStreamBeans.config("payments")))
					.isNotSameAs(context.getBean(RabbitConfig.class));
			});
	}

	@Test
	void aUserBeanNamedLikeAStreamsBeanReplacesThatBeanOnly() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=4")
			.withBean(ZephcastStreamBeans.config("payments"), RabbitConfig.class,
					() -> RabbitConfig.builder().url(RabbitBroker.url()).prefetchCount(11).build(),
					(definition) -> ((org.springframework.beans.factory.support.AbstractBeanDefinition) definition)
						.setDefaultCandidate(false))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RabbitClients.class).get("payments").config().prefetchCount()).isEqualTo(11);
				assertThat(context.getBean(RabbitClient.class).config().prefetchCount()).isEqualTo(1);
			});
	}

	@Test
	void streamsLiveBesideSpringBootsOwnRabbitAutoConfiguration() {
		this.runner.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=4")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(org.springframework.amqp.rabbit.connection.ConnectionFactory.class))
					.isSameAs(context.getBean("rabbitConnectionFactory"));
				assertThat(context.getBean(RabbitClients.class).names()).containsExactly("zephcast", "payments");
			});
	}

	@Test
	void handlersAreBoundByQualifierAndUnboundOnesToTheDefaultStream() {
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=zc-streams-handlers-default",
					"zephcast.rabbit.streams.zc-streams-handlers-payments.prefetch-count=2")
			.withUserConfiguration(HandlersConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitMessageHandlerSubscriber subscriber = context.getBean(RabbitMessageHandlerSubscriber.class);
				assertThat(subscriber.isRunning()).isTrue();
				assertThat(subscriber.subscriptions()).hasSize(2);
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(subscriber.subscriptions().get(0).client()).isSameAs(clients.getDefault());
				assertThat(subscriber.subscriptions().get(0).handler().get()).isSameAs(context.getBean("orders"));
				assertThat(subscriber.subscriptions().get(1).client())
					.isSameAs(clients.get("zc-streams-handlers-payments"));
				assertThat(subscriber.subscriptions().get(1).handler().get()).isSameAs(context.getBean("payments"));
				assertThat(context
					.getBean(ZephcastStreamBeans.listenerContainer("zc-streams-handlers-payments"),
							DirectMessageListenerContainer.class)
					.isRunning()).isTrue();
			});
		RabbitBroker.delete(
				RabbitBroker.withClientQueues("zc-streams-handlers-default", "zc-streams-handlers-payments"),
				List.of());
	}

	@Test
	void aHandlerBoundToAnUnknownStreamFailsStartupNamingTheKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=2")
			.withBean("refunds", RabbitMessageHandler.class, () -> (message) -> {
			}, (definition) -> ((org.springframework.beans.factory.support.AbstractBeanDefinition) definition)
				.addQualifier(new org.springframework.beans.factory.support.AutowireCandidateQualifier(Qualifier.class,
						"refunds")))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(cause(context.getStartupFailure()))
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("zephcast.rabbit.streams.refunds")
					.hasMessageContaining("'refunds'")
					.hasMessageContaining("[zephcast, payments]");
			});
	}

	@Test
	void twoHandlersOnOneStreamFailStartupNamingBoth() {
		this.runner.withBean("first", RabbitMessageHandler.class, () -> (message) -> {
		}).withBean("second", RabbitMessageHandler.class, () -> (message) -> {
		}).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(cause(context.getStartupFailure())).hasMessageContaining("[first, second]");
		});
	}

	@Test
	void anEmptyStreamNameFailsStartupNamingTheKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams[ ].prefetch-count=2").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(cause(context.getStartupFailure()))
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("zephcast.rabbit.streams")
				.hasMessageContaining("must not be empty");
		});
	}

	@Test
	void aStreamNameThatIsNoQueueNameFailsStartupNamingTheKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams[amq.orders].prefetch-count=2").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(cause(context.getStartupFailure())).hasMessageContaining("zephcast.rabbit.streams.amq")
				.hasMessageContaining("reserved");
		});
		this.runner.withPropertyValues("zephcast.rabbit.streams[" + "x".repeat(256) + "].prefetch-count=2")
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("zephcast.rabbit.streams.xxx")
				.hasMessageContaining("255 bytes"));
	}

	@Test
	void aStreamNamedLikeTheDefaultStreamFailsStartupNamingTheKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.zephcast.prefetch-count=2")
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("zephcast.rabbit.streams.zephcast")
				.hasMessageContaining("default stream"));
	}

	@Test
	void theSameQueueDeclaredDifferentlyByTwoStreamsFailsStartupNamingTheKey() {
		this.runner
			.withPropertyValues("zephcast.rabbit.streams.a.queue-name=zc-streams-shared",
					"zephcast.rabbit.streams.b.queue-name=zc-streams-shared", "zephcast.rabbit.streams.b.durable=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(cause(context.getStartupFailure()))
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("zephcast.rabbit.streams.b.queue-name")
					.hasMessageContaining("stream 'a'");
			});
	}

	@Test
	void theSameExchangeDeclaredDifferentlyFailsStartupNamingTheKey() {
		this.runner
			.withPropertyValues("zephcast.rabbit.exchange-name=zc-streams-x",
					"zephcast.rabbit.streams.b.exchange-name=zc-streams-x",
					"zephcast.rabbit.streams.b.exchange-type=fanout")
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("zephcast.rabbit.streams.b.exchange-name")
				.hasMessageContaining("the default stream"));
	}

	@Test
	void aBadValueInANamedStreamNamesItsKey() {
		this.runner.withPropertyValues("zephcast.rabbit.streams.payments.prefetch-count=0")
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("zephcast.rabbit.streams.payments.prefetch-count"));
	}

	@Test
	void aBadInheritedValueNamesTheDefaultStreamsKey() {
		this.runner
			.withPropertyValues("zephcast.rabbit.confirm-timeout=0s", "zephcast.rabbit.streams.payments.durable=true")
			.withBean(RabbitConfig.class, () -> RabbitConfig.builder().url(RabbitBroker.url()).build())
			.run((context) -> assertThat(cause(context.getStartupFailure()))
				.hasMessageContaining("zephcast.rabbit.confirm-timeout")
				.hasMessageNotContaining("streams.payments"));
	}

	// a check in the bean registrar fails start-up directly, a bean's check as the cause
	// of a BeanCreationException: the assertions read the most specific cause either way
	private static Throwable cause(Throwable failure) {
		return org.springframework.core.NestedExceptionUtils.getMostSpecificCause(failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class PaymentsUser {

		final RabbitClient payments;

		final RabbitClient primary;

		PaymentsUser(@Qualifier("payments") RabbitClient payments, RabbitClient primary) {
			this.payments = payments;
			this.primary = primary;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnClientConfiguration {

		@Bean
		RabbitClient myClient() {
			return new RabbitClient("mine", RabbitConfig.builder().url(RabbitBroker.url()).build());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class HandlersConfiguration {

		@Bean
		RabbitMessageHandler orders() {
			return (message) -> {
			};
		}

		@Bean
		@Qualifier("zc-streams-handlers-payments")
		RabbitMessageHandler payments() {
			return (message) -> {
			};
		}

	}

}
