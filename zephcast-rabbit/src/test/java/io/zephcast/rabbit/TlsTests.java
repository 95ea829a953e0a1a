package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Map;
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
 * TLS against the broker's real TLS listener, which demands a client certificate and
 * presents a server certificate for "localhost" signed by the test CA.
 */
class TlsTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@BeforeEach
	void setUp() {
		TestTls.require();
	}

	private RabbitConfig.Builder tls(String host, Map<String, String> options) {
		return RabbitConfig.builder().url(TestTls.url(host)).sslOptions(options);
	}

	@Test
	void aMessageGoesRoundOverMutualTls() throws Exception {
		String queue = this.names.queue("tls");
		String stream = this.names.stream("tls");
		RabbitConfig config = tls("localhost", TestTls.mutualOptions()).queueName(queue).build();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			client.send("encrypted").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("encrypted");
			client.ack(message);
			await().atMost(Duration.ofSeconds(15))
				.until(() -> RabbitBroker.management().connection(stream).isPresent());
			JsonNode connection = RabbitBroker.management().connection(stream).orElseThrow();
			assertThat(connection.get("ssl").asBoolean()).as("the broker sees a TLS connection").isTrue();
			assertThat(connection.get("peer_cert_subject").asString()).contains("zephcast-client");
		}
	}

	@Test
	void sslTrueOnAPlainUrlConnectsOverTls() throws Exception {
		String queue = this.names.queue("flag");
		RabbitConfig config = RabbitConfig.builder()
			.url("amqp://guest:guest@localhost:" + TestTls.port() + "/")
			.ssl(true)
			.sslOptions(TestTls.mutualOptions())
			.queueName(queue)
			.build();
		try (RabbitClient client = new RabbitClient("flag", config).connect()) {
			client.send("over tls").get(10, TimeUnit.SECONDS);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
	}

	@Test
	void withoutAClientCertificateTheListenerThatDemandsOneRefuses() {
		RabbitConfig config = tls("localhost", TestTls.trustOnlyOptions()).build();
		try (RabbitClient client = new RabbitClient("no-cert", config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("amqps://***@localhost:" + TestTls.port() + "/");
		}
	}

	@Test
	void aServerCertificateFromAnUntrustedCaIsRefused() {
		Map<String, String> options = new java.util.LinkedHashMap<>(TestTls.mutualOptions());
		options.put("trust-store", TestTls.rogueTrustStore());
		try (RabbitClient client = new RabbitClient("rogue", tls("localhost", options).build())) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("certification path");
		}
	}

	@Test
	void theJvmsDefaultTrustDoesNotTrustAPrivateCa() {
		RabbitConfig config = RabbitConfig.builder().url(TestTls.url("localhost")).build();
		try (RabbitClient client = new RabbitClient("default-trust", config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("certification path");
		}
	}

	@Test
	void aHostNameTheCertificateDoesNotNameIsRefusedWhileVerificationIsOn() throws Exception {
		try (RabbitClient client = new RabbitClient("by-ip", tls("127.0.0.1", TestTls.mutualOptions()).build())) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("127.0.0.1");
		}
		Map<String, String> unverified = new java.util.LinkedHashMap<>(TestTls.mutualOptions());
		unverified.put("verify-hostname", "false");
		try (RabbitClient client = new RabbitClient("by-ip", tls("127.0.0.1", unverified).build()).connect()) {
			assertThat(client.isConnected()).as("verify-hostname=false accepts it").isTrue();
		}
	}

	@Test
	void aMissingTrustStoreIsAnErrorNamingTheSetting() {
		Map<String, String> options = Map.of("trust-store", "/nonexistent/truststore.p12");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> new RabbitClient("missing", tls("localhost", options).build()))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("sslOptions.trust-store"))
			.withMessageContaining("file not found");
	}

	@Test
	void aWrongPasswordIsAnErrorNamingTheSettingWithoutShowingIt() {
		Map<String, String> options = Map.of("trust-store", TestTls.trustStore(), "trust-store-password",
				"not-the-password");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> new RabbitClient("wrong", tls("localhost", options).build()))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("sslOptions.trust-store-password"))
			.withMessageContaining("wrong password")
			.withMessageNotContaining("not-the-password");
		Map<String, String> keyOptions = new java.util.LinkedHashMap<>(TestTls.trustOnlyOptions());
		keyOptions.put("key-store", TestTls.clientKeyStore());
		keyOptions.put("key-store-password", "wrong-key-password");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> new RabbitClient("wrong", tls("localhost", keyOptions).build()))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("sslOptions.key-store-password"))
			.withMessageNotContaining("wrong-key-password");
	}

}
