package io.zephcast.rabbit;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The typed TLS setters of {@link RabbitConfig.Builder}.
 */
class RabbitConfigSslOptionsTests {

	@Test
	void typedSettersFillTheDocumentedKeys() {
		RabbitConfig config = RabbitConfig.builder()
			.ssl(true)
			.trustStore("classpath:ca.p12")
			.trustStorePassword("t-secret")
			.trustStoreType("JKS")
			.keyStore("/etc/client.p12")
			.keyStorePassword("k-secret")
			.keyStoreType("PKCS12")
			.sslProtocol("TLSv1.3")
			.verifyHostname(false)
			.sslBundle("rabbit")
			.build();
		assertThat(config.sslOptions()).containsExactlyInAnyOrderEntriesOf(
				Map.of("trust-store", "classpath:ca.p12", "trust-store-password", "t-secret", "trust-store-type", "JKS",
						"key-store", "/etc/client.p12", "key-store-password", "k-secret", "key-store-type", "PKCS12",
						"protocol", "TLSv1.3", "verify-hostname", "false", "bundle", "rabbit"));
		assertThat(config.toString()).doesNotContain("t-secret").doesNotContain("k-secret");
	}

	@Test
	void nullRemovesAnOption() {
		RabbitConfig config = RabbitConfig.builder()
			.ssl(true)
			.trustStore("classpath:ca.p12")
			.trustStore(null)
			.verifyHostname(null)
			.build();
		assertThat(config.sslOptions()).isEmpty();
	}

	@Test
	void typedOptionsWithoutTlsAreRefusedNamingTheSetting() {
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().trustStorePassword("hunter2").build())
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("ssl"))
			.withMessageNotContaining("hunter2");
	}

}
