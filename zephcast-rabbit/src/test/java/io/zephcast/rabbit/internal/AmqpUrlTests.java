package io.zephcast.rabbit.internal;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * URLs are parsed, not pattern-matched: credentials never show, whatever characters they
 * hold; ports are checked; the query parameters amqp-client honours are honoured and any
 * other is refused.
 */
class AmqpUrlTests {

	private static final List<String> PASSWORDS = List.of("pa/ss", "p@ss", "p:ss", "p?ss#x", "%41bc", "pass word",
			"sécret", "a%2Fb", "@@//::");

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void passwordsWithAnyCharacterAreParsedAndNeverShown() {
		for (String password : PASSWORDS) {
			String url = "amqp://user:" + password + "@rabbit.example.com:5673/orders";
			AmqpUrl parsed = AmqpUrl.parse(url);
			assertThat(parsed.username()).isEqualTo("user");
			assertThat(parsed.host()).as(password).isEqualTo("rabbit.example.com");
			assertThat(parsed.port()).isEqualTo(5673);
			assertThat(parsed.virtualHost()).isEqualTo("orders");
			assertThat(parsed.toString()).doesNotContain(password);
			RabbitConfig config = RabbitConfig.builder().url(url).build();
			assertThat(config.maskedUrl()).isEqualTo("amqp://***@rabbit.example.com:5673/orders");
			assertThat(config.toString()).doesNotContain(password);
		}
		assertThat(AmqpUrl.parse("amqp://user:p%40ss@host/").password()).isEqualTo("p@ss");
		assertThat(AmqpUrl.parse("amqp://user:pa/ss@host/").password()).isEqualTo("pa/ss");
	}

	@ParameterizedTest
	@ValueSource(strings = { "amqp://user:s3cr/et@host:99999/", "amqp://user:s3cr@et@host:0/",
			"amqp://user:s3cr?et@host:http/", "amqp://user:s3cr/et@/vhost", "amqp://user:s3cr/et@host/?bogus=1",
			"amqp://user:s3cr/et@host/a/b", "http://user:s3cr/et@host/", "user:s3cr/et@host" })
	void aBadUrlIsRefusedNamingTheSettingAndNeverTheCredentials(String url) {
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url(url).build())
			.satisfies((ex) -> {
				assertThat(ex.setting()).isEqualTo("url");
				assertThat(ex.getMessage()).doesNotContain("s3cr").doesNotContain("et@");
				assertThat(String.valueOf(ex.value())).doesNotContain("s3cr");
			});
	}

	@Test
	void portsOutsideTheRangeAreRefusedAndAmqpsDefaultsTo5671() {
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url("amqp://host:99999/").build())
			.withMessageContaining("url")
			.withMessageContaining("99999");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url("amqp://host:0/").build())
			.withMessageContaining("outside 1 to 65535");
		assertThat(AmqpUrl.parse("amqps://host/").port()).isEqualTo(5671);
		assertThat(AmqpUrl.parse("amqp://host").port()).isEqualTo(5672);
		assertThat(AmqpUrl.parse("amqp://[::1]:5680/").host()).isEqualTo("[::1]");
		assertThat(AmqpUrl.parse("amqp://[::1]:5680/").port()).isEqualTo(5680);
	}

	@Test
	void queryParametersAreTheOnesAmqpClientHonoursAndNoOthers() {
		AmqpUrl url = AmqpUrl.parse("amqp://host/?heartbeat=5&connection_timeout=2500&channel_max=64");
		assertThat(url.heartbeatSeconds()).isEqualTo(5);
		assertThat(url.connectionTimeoutMillis()).isEqualTo(2500);
		assertThat(url.channelMax()).isEqualTo(64);
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url("amqp://host/?auth_mechanism=external").build())
			.withMessageContaining("'auth_mechanism'")
			.withMessageContaining("heartbeat, connection_timeout, channel_max");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url("amqp://host/?heartbeat=soon").build())
			.withMessageContaining("heartbeat='soon'");
	}

	@Test
	void theUrlsHeartbeatIsTheOneTheConnectionNegotiates() throws Exception {
		String queue = this.names.queue("heartbeat");
		String stream = "heartbeat-" + queue;
		String base = RabbitBroker.url();
		String url = (base.endsWith("/") ? base : base + "/") + "?heartbeat=7";
		RabbitConfig config = RabbitConfig.builder().url(url).queueName(queue).build();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			client.send("beat").get(10, TimeUnit.SECONDS);
			await().atMost(java.time.Duration.ofSeconds(15))
				.until(() -> RabbitBroker.management().connection(stream).isPresent());
			JsonNode connection = RabbitBroker.management().connection(stream).orElseThrow();
			assertThat(connection.path("timeout").asInt()).as("negotiated heartbeat (s)").isEqualTo(7);
		}
	}

	@Test
	void urlsAreParsedWithTheDefaultVirtualHostAndPorts() {
		assertThat(AmqpUrl.parse("amqp://localhost")).isEqualTo(new AmqpUrl(false, "localhost", 5672, "/", null, null));
		assertThat(AmqpUrl.parse("amqp://u:p%40ss@h:1234/")).isEqualTo(new AmqpUrl(false, "h", 1234, "/", "u", "p@ss"));
		assertThat(AmqpUrl.parse("amqps://h/%2F")).isEqualTo(new AmqpUrl(true, "h", 5671, "/", null, null));
		assertThat(AmqpUrl.parse("amqp://h/orders")).isEqualTo(new AmqpUrl(false, "h", 5672, "orders", null, null));
		assertThat(RabbitConfig.builder().url("amqps://h").build().usesTls()).isTrue();
	}

}
