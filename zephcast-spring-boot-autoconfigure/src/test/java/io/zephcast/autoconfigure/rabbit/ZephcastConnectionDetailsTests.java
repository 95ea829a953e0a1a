package io.zephcast.autoconfigure.rabbit;

import java.util.List;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link ZephcastRabbitConnectionDetails} bean (what {@code @ServiceConnection} and
 * Docker Compose register) points the default stream, and every stream without its own
 * URL, at its broker. There is no Docker here: the bean stands in for a container's.
 */
class ZephcastConnectionDetailsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class));

	@Test
	void withoutABeanTheDetailsComeFromTheUrlProperty() {
		this.runner.withPropertyValues("zephcast.rabbit.url=amqp://ann:p%40ss@127.0.0.1:5672/")
			.withBean(RabbitClient.class, () -> new RabbitClient("unused", RabbitConfig.builder().build()))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ZephcastRabbitConnectionDetails details = context.getBean(ZephcastRabbitConnectionDetails.class);
				assertThat(details).isInstanceOf(PropertiesZephcastRabbitConnectionDetails.class);
				assertThat(details.getUrl()).isEqualTo("amqp://ann:p%40ss@127.0.0.1:5672/");
				assertThat(details.getUsername()).isEqualTo("ann");
				assertThat(details.getPassword()).isEqualTo("p@ss");
				assertThat(details.getVirtualHost()).isEqualTo("/");
				assertThat(details.getAddresses())
					.containsExactly(new ZephcastRabbitConnectionDetails.Address("127.0.0.1", 5672));
			});
	}

	@Test
	void thePropertiesDetailsSplitAnyPasswordAVirtualHostAndTheAddresses() {
		ZephcastRabbitProperties properties = new ZephcastRabbitProperties();
		properties.setUrl("amqps://ann:p/a?s@s%@[::1]/orders%2Feu?heartbeat=5");
		properties.setAddresses(List.of("node1", "amqp://node2:5673"));
		ZephcastRabbitConnectionDetails details = new PropertiesZephcastRabbitConnectionDetails(properties);
		assertThat(details.getUrl()).as("handed through as written").isEqualTo(properties.getUrl());
		assertThat(details.getUsername()).isEqualTo("ann");
		assertThat(details.getPassword()).as("to the last '@', a lone '%' as it is").isEqualTo("p/a?s@s%");
		assertThat(details.getVirtualHost()).isEqualTo("orders/eu");
		assertThat(details.getAddresses()).containsExactly(
				new ZephcastRabbitConnectionDetails.Address("node1", 5671, true),
				new ZephcastRabbitConnectionDetails.Address("node2", 5673, false));
		properties.setAddresses(null);
		assertThat(new PropertiesZephcastRabbitConnectionDetails(properties).getAddresses())
			.containsExactly(new ZephcastRabbitConnectionDetails.Address("[::1]", 5671, true));
		assertThat(details.toString()).doesNotContain("ann").doesNotContain("p/a");
	}

	@Test
	void withoutAUrlTheDetailsAreTheLocalBrokersWithItsDefaultUser() {
		ZephcastRabbitConnectionDetails details = new PropertiesZephcastRabbitConnectionDetails(
				new ZephcastRabbitProperties());
		assertThat(details.getUsername()).isNull();
		assertThat(details.getPassword()).isNull();
		assertThat(details.getVirtualHost()).isEqualTo("/");
		assertThat(details.getAddresses())
			.containsExactly(new ZephcastRabbitConnectionDetails.Address("localhost", 5672));
	}

	@Test
	void aConnectionDetailsBeanConfiguresTheStreamsThatDoNotSetTheirOwnUrl() {
		String ownUrl = RabbitBroker.url().replace("localhost", "127.0.0.1");
		this.runner
			.withPropertyValues("zephcast.rabbit.url=amqp://nowhere.invalid:1/",
					"zephcast.rabbit.streams.inherits.durable=true", "zephcast.rabbit.streams.own.url=" + ownUrl)
			.withBean(ZephcastRabbitConnectionDetails.class, () -> new TestConnectionDetails("guest", "guest"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClient client = context.getBean(RabbitClient.class);
				assertThat(client.config().url()).isEqualTo("amqp://guest:guest@localhost:5672/");
				assertThat(client.isConnected()).isTrue();
				RabbitClients clients = context.getBean(RabbitClients.class);
				assertThat(clients.get("inherits").config().url()).isEqualTo("amqp://guest:guest@localhost:5672/");
				assertThat(clients.get("own").config().url()).isEqualTo(ownUrl);
			});
	}

	@Test
	void theUrlOfTheDetailsEncodesCredentialsAndVirtualHost() {
		TestConnectionDetails details = new TestConnectionDetails("a b", "p@ss:word") {
			@Override
			public String getVirtualHost() {
				return "orders/eu";
			}
		};
		assertThat(details.getUrl()).isEqualTo("amqp://a%20b:p%40ss%3Aword@localhost:5672/orders%2Feu");
	}

	@Test
	void theContainerAndComposeFactoriesAreRegistered() {
		List<ConnectionDetailsFactory> factories = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(ConnectionDetailsFactory.class);
		assertThat(factories).extracting((factory) -> factory.getClass().getName())
			.contains("io.zephcast.autoconfigure.rabbit.testcontainers.ZephcastRabbitContainerConnectionDetailsFactory",
					"io.zephcast.autoconfigure.rabbit.docker.compose.ZephcastRabbitDockerComposeConnectionDetailsFactory");
	}

	static class TestConnectionDetails implements ZephcastRabbitConnectionDetails {

		private final String username;

		private final String password;

		TestConnectionDetails(String username, String password) {
			this.username = username;
			this.password = password;
		}

		@Override
		public String getUsername() {
			return this.username;
		}

		@Override
		public String getPassword() {
			return this.password;
		}

		@Override
		public List<Address> getAddresses() {
			return List.of(new Address("localhost", 5672));
		}

	}

}
