package io.zephcast.rabbit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTls;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * AMQP 1.0 over the broker's TLS listener (client certificate demanded), with the same
 * TLS settings as AMQP 0-9-1.
 */
class Amqp10TlsTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@BeforeEach
	void setUp() {
		TestTls.require();
	}

	@Test
	void sendsOverMutualTls() throws Exception {
		String queue = this.names.queue("tls");
		String stream = this.names.stream("tls");
		RabbitConfig config = RabbitConfig.builder()
			.url(TestTls.url("localhost"))
			.sslOptions(TestTls.mutualOptions())
			.protocol(Protocol.AMQP_1_0)
			.queueName(queue)
			.build();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			client.send("encrypted").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(15))
				.until(() -> RabbitBroker.management().connection(stream).isPresent());
			JsonNode connection = RabbitBroker.management().connection(stream).orElseThrow();
			assertThat(connection.get("ssl").asBoolean()).as("the broker sees a TLS connection").isTrue();
			assertThat(connection.get("protocol").asString()).isEqualTo("AMQP 1-0");
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
	}

	@Test
	void withoutAClientCertificateTheConnectFailsWithoutLeavingAConnection() {
		RabbitConfig config = RabbitConfig.builder()
			.url(TestTls.url("localhost"))
			.sslOptions(TestTls.trustOnlyOptions())
			.protocol(Protocol.AMQP_1_0)
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("no-cert"), config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("amqps://***@localhost:" + TestTls.port() + "/");
		}
	}

}
