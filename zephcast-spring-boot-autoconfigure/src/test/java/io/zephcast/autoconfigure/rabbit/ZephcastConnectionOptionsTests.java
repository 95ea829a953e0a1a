package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.List;

import io.zephcast.rabbit.ConnectionOptions;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection properties with Spring Boot's names ({@code addresses},
 * {@code address-shuffle-mode}, {@code requested-heartbeat}, {@code connection-timeout},
 * {@code channel-rpc-timeout}): mapped onto {@link ConnectionOptions} and the connection
 * factory, inherited by named streams, part of what decides connection sharing, and
 * refused naming the property. The addresses lead to the test broker (a dead one first,
 * which is skipped), so the contexts start and connect.
 */
class ZephcastConnectionOptionsTests {

	private static final String BROKER = "127.0.0.1:" + java.net.URI.create(RabbitBroker.url()).getPort();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

	@Test
	void unsetPropertiesLeaveTheLibrarysDefaults() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(RabbitConfig.class).connection()).isEqualTo(ConnectionOptions.DEFAULTS);
		});
	}

	@Test
	void theDefaultStreamsPropertiesReachTheConnectionFactory() {
		this.runner
			.withPropertyValues("zephcast.rabbit.addresses=127.0.0.1:1," + BROKER,
					"zephcast.rabbit.address-shuffle-mode=inorder", "zephcast.rabbit.requested-heartbeat=7",
					"zephcast.rabbit.connection-timeout=1500ms", "zephcast.rabbit.channel-rpc-timeout=4s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ConnectionOptions options = context.getBean(RabbitConfig.class).connection();
				assertThat(options.addresses()).containsExactly("127.0.0.1:1", BROKER);
				assertThat(options.addressShuffleMode()).isEqualTo(AddressShuffleMode.INORDER);
				assertThat(options.requestedHeartbeat()).isEqualTo(Duration.ofSeconds(7));
				assertThat(options.connectionTimeout()).isEqualTo(Duration.ofMillis(1500));
				assertThat(options.channelRpcTimeout()).isEqualTo(Duration.ofSeconds(4));
				com.rabbitmq.client.ConnectionFactory rabbit = context
					.getBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN, CachingConnectionFactory.class)
					.getRabbitConnectionFactory();
				assertThat(rabbit.getRequestedHeartbeat()).isEqualTo(7);
				assertThat(rabbit.getConnectionTimeout()).isEqualTo(1500);
				assertThat(rabbit.getChannelRpcTimeout()).isEqualTo(4000);
				assertThat(context.getBean(RabbitClient.class).isConnected()).as("past the dead address").isTrue();
				assertThat(context.getBean(ZephcastRabbitConnectionDetails.class).getAddresses()).containsExactly(
						new ZephcastRabbitConnectionDetails.Address("127.0.0.1", 1),
						new ZephcastRabbitConnectionDetails.Address("127.0.0.1",
								Integer.parseInt(BROKER.split(":")[1])));
			});
	}

	@Test
	void namedStreamsInheritTheConnectionPropertiesAndShareOnlyWhenTheyAreEqual() {
		this.runner
			.withPropertyValues("zephcast.rabbit.addresses=127.0.0.1:1," + BROKER,
					"zephcast.rabbit.requested-heartbeat=5s", "zephcast.rabbit.streams.same.prefetch-count=2",
					"zephcast.rabbit.streams.tuned.channel-rpc-timeout=3s",
					"zephcast.rabbit.streams.elsewhere.url=" + RabbitBroker.url().replace("localhost", "127.0.0.1"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				ConnectionOptions same = clients.get("same").config().connection();
				assertThat(same.addresses()).containsExactly("127.0.0.1:1", BROKER);
				assertThat(same.requestedHeartbeat()).isEqualTo(Duration.ofSeconds(5));
				ConnectionOptions tuned = clients.get("tuned").config().connection();
				assertThat(tuned.addresses()).containsExactly("127.0.0.1:1", BROKER);
				assertThat(tuned.channelRpcTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(clients.get("elsewhere").config().connection().addresses())
					.as("a stream with its own url does not take the default stream's nodes")
					.isEmpty();
				ZephcastStreamPlan plan = new ZephcastStreamPlan(context.getBean(ZephcastRabbitProperties.class),
						context.getEnvironment());
				assertThat(plan.connectionFactoryBean("same"))
					.isEqualTo(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
				assertThat(plan.connectionFactoryBean("tuned")).as("other timeouts, another connection")
					.isNotEqualTo(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
				assertThat(plan.connectionFactoryBean("elsewhere"))
					.isNotEqualTo(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
				assertThat(clients).allSatisfy((client) -> assertThat(client.isConnected()).isTrue());
			});
	}

	@Test
	void badValuesFailNamingTheProperty() {
		this.runner.withPropertyValues("zephcast.rabbit.addresses=127.0.0.1:99999").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("zephcast.rabbit.addresses");
		});
		this.runner.withPropertyValues("zephcast.rabbit.streams.orders.addresses=amqp://ann:secret@host:port")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("zephcast.rabbit.streams.orders.addresses")
					.hasMessageNotContaining("secret");
			});
		this.runner
			.withPropertyValues("zephcast.rabbit.connection-timeout=0s", "zephcast.rabbit.streams.orders.durable=true")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("zephcast.rabbit.connection-timeout");
			});
	}

	@Test
	void aConnectionDetailsBeanWithSeveralAddressesGivesThemAll() {
		this.runner.withPropertyValues("zephcast.rabbit.fail-fast=false")
			.withBean(ZephcastRabbitConnectionDetails.class,
					() -> new ZephcastConnectionDetailsTests.TestConnectionDetails("guest", "guest") {
						@Override
						public List<Address> getAddresses() {
							return List.of(new Address("127.0.0.1", 1), new Address("localhost", 5672));
						}
					})
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitConfig config = context.getBean(RabbitConfig.class);
				assertThat(config.url()).isEqualTo("amqp://guest:guest@127.0.0.1:1/");
				assertThat(config.connection().addresses()).containsExactly("127.0.0.1:1", "localhost:5672");
			});
	}

}
