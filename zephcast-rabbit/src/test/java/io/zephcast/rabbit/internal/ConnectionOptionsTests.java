package io.zephcast.rabbit.internal;

import java.time.Duration;

import io.zephcast.rabbit.ConnectionOptions;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link ConnectionOptions}: Spring Boot's defaults and address forms, validation that
 * names the setting, and no credentials in messages or {@code toString()}.
 */
class ConnectionOptionsTests {

	@Test
	void defaultsAreTenSecondsAndTheUrlsHost() {
		RabbitConfig config = RabbitConfig.builder().build();
		assertThat(config.connection()).isEqualTo(ConnectionOptions.DEFAULTS);
		assertThat(config.connection().addresses()).isEmpty();
		assertThat(config.connection().addressShuffleMode()).isEqualTo(AddressShuffleMode.NONE);
		assertThat(config.connection().requestedHeartbeat()).isEqualTo(Duration.ofSeconds(10));
		assertThat(config.connection().connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(config.connection().channelRpcTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(config.maskedAddresses()).isEqualTo(config.maskedUrl());
	}

	@Test
	void theBuilderDelegatesAndCommaSeparatedListsAreSplit() {
		RabbitConfig config = RabbitConfig.builder()
			.addresses("node1:5681, node2:5682", "node3")
			.addressShuffleMode(AddressShuffleMode.INORDER)
			.requestedHeartbeat(Duration.ofSeconds(5))
			.connectionTimeout(Duration.ofSeconds(2))
			.channelRpcTimeout(Duration.ofSeconds(3))
			.build();
		assertThat(config.connection().addresses()).containsExactly("node1:5681", "node2:5682", "node3");
		assertThat(config.toBuilder().build()).isEqualTo(config);
		assertThat(BrokerAddress.parseAll(config.connection().addresses()))
			.extracting((address) -> address.hostAndPort(false))
			.containsExactly("node1:5681", "node2:5682", "node3:5672");
		assertThat(BrokerAddress.parseAll(config.connection().addresses()).get(2).hostAndPort(true))
			.isEqualTo("node3:5671");
		assertThat(config.maskedAddresses()).isEqualTo("node1:5681,node2:5682,node3");
	}

	@Test
	void addressesMayCarryTheLoginAsSpringBootAccepts() {
		BrokerAddress address = BrokerAddress.parse("amqps://ann:s3cr/t@@node1:5681/orders");
		assertThat(address.tls()).isTrue();
		assertThat(address.host()).isEqualTo("node1");
		assertThat(address.port()).isEqualTo(5681);
		assertThat(address.username()).isEqualTo("ann");
		assertThat(address.password()).isEqualTo("s3cr/t@");
		assertThat(address.virtualHost()).isEqualTo("orders");
		assertThat(address.masked()).isEqualTo("amqps://***@node1:5681/orders").doesNotContain("s3cr");
		assertThat(BrokerAddress.parse("node1:5681/").virtualHost()).isNull();
		assertThat(BrokerAddress.parse("[::1]:5681").hostAndPort(false)).isEqualTo("[::1]:5681");
		assertThat(BrokerAddress.parse("[::1]").port()).isNull();
		RabbitConfig config = RabbitConfig.builder()
			.addresses("amqps://ann:s3cr/t@@node1:5681/orders", "node2:5682")
			.build();
		assertThat(config.usesTls()).isTrue();
		assertThat(config.toString()).contains("***@node1:5681").doesNotContain("s3cr");
		assertThat(config.maskedAddresses()).doesNotContain("s3cr");
	}

	@Test
	void badValuesAreRefusedNamingTheSettingWithoutCredentials() {
		assertInvalid(RabbitConfig.builder().addresses("node1:5681", "node2:99999"), "addresses", "65535");
		assertInvalid(RabbitConfig.builder().addresses("http://node1"), "addresses", "amqp://");
		assertInvalid(RabbitConfig.builder().addresses("node1:port"), "addresses", "port");
		assertInvalid(RabbitConfig.builder().addresses("node1:5681?heartbeat=5"), "addresses", "query");
		assertInvalid(RabbitConfig.builder().addresses("amqp://node1", "amqps://node2"), "addresses", "TLS");
		assertInvalid(RabbitConfig.builder().addresses("amqp://ann:pw@node1", "amqp://bob:secret@node2"), "addresses",
				"another user");
		assertInvalid(RabbitConfig.builder().requestedHeartbeat(Duration.ofSeconds(-1)), "requestedHeartbeat", "65535");
		assertInvalid(RabbitConfig.builder().connectionTimeout(Duration.ZERO), "connectionTimeout", "forever");
		assertInvalid(RabbitConfig.builder().channelRpcTimeout(Duration.ofMillis(-5)), "channelRpcTimeout", "positive");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().addresses("amqp://ann:secret@node1:notaport").build())
			.withMessageNotContaining("secret")
			.withMessageContaining("***@node1");
	}

	@Test
	void theConnectionFactoryGetsTheLoginOfTheFirstAddressAndTheTimeouts() {
		RabbitConfig config = RabbitConfig.builder()
			.url("amqp://url-user:url-pass@ignored:1/url-vhost")
			.addresses("amqp://ann:pw@127.0.0.1:5681/orders", "127.0.0.1:5682")
			.requestedHeartbeat(Duration.ofSeconds(7))
			.connectionTimeout(Duration.ofMillis(1500))
			.channelRpcTimeout(Duration.ofSeconds(4))
			.build();
		CachingConnectionFactory factory = RabbitConnectionFactories.create("options", config);
		try {
			com.rabbitmq.client.ConnectionFactory rabbit = factory.getRabbitConnectionFactory();
			assertThat(rabbit).isInstanceOf(FailoverConnectionFactory.class);
			assertThat(rabbit.getUsername()).isEqualTo("ann");
			assertThat(rabbit.getPassword()).isEqualTo("pw");
			assertThat(rabbit.getVirtualHost()).isEqualTo("orders");
			assertThat(rabbit.getRequestedHeartbeat()).isEqualTo(7);
			assertThat(rabbit.getConnectionTimeout()).isEqualTo(1500);
			assertThat(rabbit.getChannelRpcTimeout()).isEqualTo(4000);
		}
		finally {
			factory.destroy();
		}
		CachingConnectionFactory single = RabbitConnectionFactories.create("options",
				RabbitConfig.builder().url("amqp://u:p@host:5672/v").build());
		try {
			assertThat(single.getRabbitConnectionFactory()).isNotInstanceOf(FailoverConnectionFactory.class);
			assertThat(single.getRabbitConnectionFactory().getUsername()).isEqualTo("u");
			assertThat(single.getRabbitConnectionFactory().getRequestedHeartbeat()).isEqualTo(10);
		}
		finally {
			single.destroy();
		}
	}

	private static void assertInvalid(RabbitConfig.Builder builder, String setting, String reason) {
		assertThatExceptionOfType(InvalidRabbitConfigException.class).isThrownBy(builder::build)
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(setting))
			.withMessageContaining(reason);
	}

}
