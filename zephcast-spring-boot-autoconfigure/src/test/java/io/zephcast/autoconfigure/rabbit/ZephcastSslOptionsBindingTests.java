package io.zephcast.autoconfigure.rabbit;

import java.util.Map;

import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ssl-options} key binds from an environment variable, for the default
 * stream and for a named one. The connection factory is the application's own (plain
 * AMQP), so that the made-up stores are bound and mapped but never opened.
 */
class ZephcastSslOptionsBindingTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN, CachingConnectionFactory.class,
				() -> RabbitConnectionFactories.create("zc-ssl-binding",
						RabbitConfig.builder().url(RabbitBroker.url()).build()),
				(definition) -> ((org.springframework.beans.factory.support.AbstractBeanDefinition) definition)
					.setDefaultCandidate(false));

	private ApplicationContextRunner withEnvironment(Map<String, Object> variables) {
		return this.runner.withInitializer((context) -> context.getEnvironment()
			.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)));
	}

	@Test
	void everySslOptionBindsFromAnEnvironmentVariable() {
		withEnvironment(Map.of("ZEPHCAST_RABBIT_URL", RabbitBroker.url(), "ZEPHCAST_RABBIT_SSL", "true",
				"ZEPHCAST_RABBIT_SSLOPTIONS_TRUSTSTORE", "/etc/zc/ca.p12",
				"ZEPHCAST_RABBIT_SSLOPTIONS_TRUSTSTOREPASSWORD", "t-secret",
				"ZEPHCAST_RABBIT_SSLOPTIONS_TRUSTSTORETYPE", "JKS", "ZEPHCAST_RABBIT_SSLOPTIONS_KEYSTORE",
				"/etc/zc/client.p12", "ZEPHCAST_RABBIT_SSLOPTIONS_KEYSTOREPASSWORD", "k-secret",
				"ZEPHCAST_RABBIT_SSLOPTIONS_KEYSTORETYPE", "PKCS12", "ZEPHCAST_RABBIT_SSLOPTIONS_PROTOCOL", "TLSv1.3",
				"ZEPHCAST_RABBIT_SSLOPTIONS_VERIFYHOSTNAME", "false"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitConfig config = context.getBean(RabbitConfig.class);
				assertThat(config.ssl()).isTrue();
				assertThat(config.sslOptions()).containsExactlyInAnyOrderEntriesOf(
						Map.of("trust-store", "/etc/zc/ca.p12", "trust-store-password", "t-secret", "trust-store-type",
								"JKS", "key-store", "/etc/zc/client.p12", "key-store-password", "k-secret",
								"key-store-type", "PKCS12", "protocol", "TLSv1.3", "verify-hostname", "false"));
				assertThat(config.toString()).doesNotContain("t-secret").doesNotContain("k-secret");
				assertThat(context.getBean(ZephcastRabbitProperties.class).getSslOptions().toString())
					.doesNotContain("secret");
			});
	}

	@Test
	void theBundleBindsFromAnEnvironmentVariableAndANamedStreamInheritsOrOverridesEachOption() {
		withEnvironment(Map.of("ZEPHCAST_RABBIT_URL", RabbitBroker.url(), "ZEPHCAST_RABBIT_SSL", "true",
				"ZEPHCAST_RABBIT_SSLOPTIONS_BUNDLE", "rabbit", "ZEPHCAST_RABBIT_STREAMS_PAYMENTS_SSLOPTIONS_PROTOCOL",
				"TLSv1.2", "ZEPHCAST_RABBIT_STREAMS_PAYMENTS_SSLOPTIONS_VERIFYHOSTNAME", "false"))
			.withPropertyValues("zephcast.rabbit.streams.payments.url=" + RabbitBroker.url())
			.withBean(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN + ".payments",
					CachingConnectionFactory.class,
					() -> RabbitConnectionFactories.create("zc-ssl-binding-payments",
							RabbitConfig.builder().url(RabbitBroker.url()).build()),
					(definition) -> ((org.springframework.beans.factory.support.AbstractBeanDefinition) definition)
						.setDefaultCandidate(false))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RabbitConfig.class).sslOptions())
					.containsExactly(Map.entry("bundle", "rabbit"));
				RabbitConfig payments = context.getBean(RabbitClients.class).get("payments").config();
				assertThat(payments.ssl()).isTrue();
				assertThat(payments.sslOptions()).containsExactlyInAnyOrderEntriesOf(
						Map.of("bundle", "rabbit", "protocol", "TLSv1.2", "verify-hostname", "false"));
			});
	}

}
