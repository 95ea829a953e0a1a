package io.zephcast.autoconfigure.rabbit;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.TestTls;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS through {@code zephcast.rabbit.ssl-options.*}, including Spring Boot SSL bundles,
 * against the broker's real TLS listener.
 */
@ExtendWith(OutputCaptureExtension.class)
class ZephcastRabbitTlsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class, SslAutoConfiguration.class));

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@BeforeEach
	void setUp() {
		TestTls.require();
	}

	@Test
	void anSslBundleGivesMutualTls() {
		String queue = this.names.queue("bundle");
		this.runner
			.withPropertyValues("zephcast.rabbit.url=" + TestTls.url("localhost"),
					"zephcast.rabbit.queue-name=" + queue, "zephcast.rabbit.ssl-options.bundle=rabbit",
					"spring.ssl.bundle.jks.rabbit.truststore.location=file:" + TestTls.trustStore(),
					"spring.ssl.bundle.jks.rabbit.truststore.password=" + TestTls.PASSWORD,
					"spring.ssl.bundle.jks.rabbit.truststore.type=PKCS12",
					"spring.ssl.bundle.jks.rabbit.keystore.location=file:" + TestTls.clientKeyStore(),
					"spring.ssl.bundle.jks.rabbit.keystore.password=" + TestTls.PASSWORD,
					"spring.ssl.bundle.jks.rabbit.keystore.type=PKCS12")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClient client = context.getBean(RabbitClient.class);
				client.send("through a bundle").get(10, TimeUnit.SECONDS);
				RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
				assertThat(message.text()).isEqualTo("through a bundle");
				client.ack(message);
			});
	}

	/**
	 * A service connection's bundle turns TLS on (its address is plain amqp) and wins
	 * over {@code ssl-options.bundle}, which names no bundle here and would fail.
	 */
	@Test
	void theSslBundleOfTheConnectionDetailsGivesMutualTls() throws Exception {
		String queue = this.names.queue("details-bundle");
		SslBundle bundle = SslBundle.of(SslStoreBundle.of(keyStore(TestTls.clientKeyStore()), TestTls.PASSWORD,
				keyStore(TestTls.trustStore())));
		this.runner.withPropertyValues("zephcast.rabbit.queue-name=" + queue, "zephcast.rabbit.ssl-options.bundle=nope")
			.withBean(ZephcastRabbitConnectionDetails.class, () -> new TlsConnectionDetails(bundle))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClient client = context.getBean(RabbitClient.class);
				assertThat(client.config().usesTls()).isTrue();
				client.send("through the details' bundle").get(10, TimeUnit.SECONDS);
				RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
				assertThat(message.text()).isEqualTo("through the details' bundle");
				client.ack(message);
			});
	}

	private static KeyStore keyStore(String path) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(Path.of(path))) {
			store.load(in, TestTls.PASSWORD.toCharArray());
		}
		return store;
	}

	@Test
	void trustAndKeyStoreOptionsGiveMutualTls() {
		String queue = this.names.queue("stores");
		this.runner
			.withPropertyValues("zephcast.rabbit.url=" + TestTls.url("localhost"),
					"zephcast.rabbit.queue-name=" + queue,
					"zephcast.rabbit.ssl-options.trust-store=" + TestTls.trustStore(),
					"zephcast.rabbit.ssl-options.trust-store-password=" + TestTls.PASSWORD,
					"zephcast.rabbit.ssl-options.key-store=" + TestTls.clientKeyStore(),
					"zephcast.rabbit.ssl-options.key-store-password=" + TestTls.PASSWORD)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(RabbitClient.class).send("through stores").get(10, TimeUnit.SECONDS);
			});
	}

	@Test
	void anUnknownBundleFailsStartupNamingTheSetting() {
		this.runner
			.withPropertyValues("zephcast.rabbit.url=" + TestTls.url("localhost"),
					"zephcast.rabbit.ssl-options.bundle=nope")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("zephcast.rabbit.ssl-options.bundle")
				.hasMessageContaining("no SSL bundle"));
	}

	@Test
	void aMissingTrustStoreFailsStartupNamingTheSetting() {
		this.runner
			.withPropertyValues("zephcast.rabbit.url=" + TestTls.url("localhost"),
					"zephcast.rabbit.ssl-options.trust-store=/nonexistent/ca.p12")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("zephcast.rabbit.ssl-options.trust-store")
				.hasMessageContaining("file not found"));
	}

	@Test
	void aWrongPasswordFailsStartupWithoutShowingIt(CapturedOutput output) {
		this.runner
			.withPropertyValues("zephcast.rabbit.url=" + TestTls.url("localhost"),
					"zephcast.rabbit.ssl-options.trust-store=" + TestTls.trustStore(),
					"zephcast.rabbit.ssl-options.trust-store-password=Sup3rS3cret")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("zephcast.rabbit.ssl-options.trust-store-password")
				.hasMessageContaining("wrong password")
				.hasMessageNotContaining("Sup3rS3cret"));
		assertThat(output).doesNotContain("Sup3rS3cret");
	}

	@Test
	void sslOptionsWithoutTlsFailStartupNamingTheSetting() {
		this.runner
			.withPropertyValues("zephcast.rabbit.url=amqp://localhost:5672/",
					"zephcast.rabbit.ssl-options.trust-store=" + TestTls.trustStore())
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("zephcast.rabbit.ssl")
				.hasMessageContaining("TLS is off"));
	}

	/**
	 * Connection details as a service connection with TLS gives them: the broker's TLS
	 * port, and a bundle.
	 */
	static final class TlsConnectionDetails implements ZephcastRabbitConnectionDetails {

		private final SslBundle bundle;

		TlsConnectionDetails(SslBundle bundle) {
			this.bundle = bundle;
		}

		@Override
		public String getUsername() {
			return "guest";
		}

		@Override
		public String getPassword() {
			return "guest";
		}

		@Override
		public List<Address> getAddresses() {
			return List.of(new Address("localhost", TestTls.port()));
		}

		@Override
		public SslBundle getSslBundle() {
			return this.bundle;
		}

	}

}
