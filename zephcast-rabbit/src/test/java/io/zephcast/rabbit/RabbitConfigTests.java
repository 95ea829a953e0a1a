package io.zephcast.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link RabbitConfig}: the seed's defaults, validation that names the setting, and no
 * credentials in {@code toString()}.
 */
class RabbitConfigTests {

	@Test
	void defaultsAreTheSeeds() {
		RabbitConfig config = RabbitConfig.builder().build();
		assertThat(config.url()).isEqualTo("amqp://localhost:5672/");
		assertThat(config.queueName()).isEmpty();
		assertThat(config.exchangeName()).isEmpty();
		assertThat(config.routingKey()).isEmpty();
		assertThat(config.exchangeType()).isEqualTo(ExchangeType.DIRECT);
		assertThat(config.durable()).isTrue();
		assertThat(config.autoDelete()).isFalse();
		assertThat(config.prefetchCount()).isEqualTo(1);
		assertThat(config.concurrency()).isEqualTo(1);
		assertThat(config.ssl()).isFalse();
		assertThat(config.sslOptions()).isEmpty();
		assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(config.queueType()).isEqualTo(QueueType.CLASSIC);
		assertThat(config.queue()).isEqualTo(QueueArguments.NONE);
		assertThat(config.declare()).isEqualTo(DeclareMode.ON);
		assertThat(config.retry()).isEqualTo(RetryPolicy.DEFAULT);
		assertThat(config.retry().maxAttempts()).isEqualTo(3);
		assertThat(config.retry().intervals()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(config.deadLetterQueue()).isTrue();
	}

	@Test
	void retryIntervalsGrowByTheMultiplierUpToTheMaximum() {
		RetryPolicy policy = RetryPolicy.builder()
			.maxAttempts(6)
			.initialInterval(Duration.ofMillis(500))
			.multiplier(3)
			.maxInterval(Duration.ofSeconds(5))
			.build();
		assertThat(policy.intervals()).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1500),
				Duration.ofMillis(4500), Duration.ofSeconds(5));
		assertThat(RetryPolicy.builder().initialInterval(Duration.ofSeconds(30)).build().maxInterval())
			.as("an unset maximum is never below the initial interval")
			.isEqualTo(Duration.ofSeconds(30));
		assertThat(RetryPolicy.NONE.intervals()).isEmpty();
	}

	@Test
	void topologySettingsThatCannotWorkAreRefusedNamingTheSetting() {
		assertInvalid(RabbitConfig.builder().queueType(QueueType.QUORUM).durable(false), "durable", "always durable");
		assertInvalid(RabbitConfig.builder().queueType(QueueType.QUORUM).autoDelete(true), "autoDelete", "quorum");
		assertInvalid(
				RabbitConfig.builder()
					.queueType(QueueType.QUORUM)
					.queue(QueueArguments.builder().overflow(QueueOverflow.REJECT_PUBLISH_DLX).build()),
				"queue.overflow", "drop-head and reject-publish");
		assertInvalid(RabbitConfig.builder().queue(QueueArguments.builder().deliveryLimit(5).build()),
				"queue.deliveryLimit", "only quorum queues");
		assertInvalid(RabbitConfig.builder().bindingKeys(List.of("a", "b")), "bindingKeys", "exchangeName");
		assertInvalid(RabbitConfig.builder().exchangeName("x").exchangeType("fanout").bindingKeys(List.of("a")),
				"bindingKeys", "ignores binding keys");
		assertInvalid(RabbitConfig.builder().exchangeName("x").bindingArguments(Map.of("tenant", "a")),
				"bindingArguments", "headers exchange");
		assertInvalid(RabbitConfig.builder()
			.exchangeName("x")
			.exchangeType("headers")
			.bindingArguments(Map.of("x-match", "some")), "bindingArguments", "all, any");
		assertInvalid(() -> RetryPolicy.builder().maxAttempts(0).build(), "retry.maxAttempts", "at least 1");
		assertInvalid(() -> RetryPolicy.builder().multiplier(0.5).build(), "retry.multiplier", "at least 1");
		assertInvalid(() -> RetryPolicy.builder().jitter(2).build(), "retry.jitter", "between 0 and 1");
		assertInvalid(() -> RetryPolicy.builder()
			.initialInterval(Duration.ofSeconds(5))
			.maxInterval(Duration.ofSeconds(1))
			.build(), "retry.maxInterval", "at least retry.initialInterval");
		assertInvalid(() -> QueueArguments.builder().argument("x-max-length", 5).build(), "queue.arguments",
				"queue.maxLength");
		assertInvalid(() -> QueueArguments.builder().deadLetterRoutingKey("k").build(), "queue.deadLetterRoutingKey",
				"queue.deadLetterExchange");
		assertInvalid(() -> QueueArguments.builder().maxLength(-1L).build(), "queue.maxLength", "negative");
	}

	@Test
	void exchangeTypeIsTakenAsEnumOrAsTheSeedsString() {
		assertThat(RabbitConfig.builder().exchangeName("x").exchangeType("Topic").build().exchangeType())
			.isEqualTo(ExchangeType.TOPIC);
		assertThat(RabbitConfig.builder().exchangeName("x").exchangeType(ExchangeType.FANOUT).build().exchangeType())
			.isEqualTo(ExchangeType.FANOUT);
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().exchangeType("banana"))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("exchangeType"))
			.withMessageContaining("'banana'")
			.withMessageContaining("direct, topic, fanout, headers");
	}

	@Test
	void badValuesAreRefusedNamingTheSetting() {
		assertInvalid(RabbitConfig.builder().prefetchCount(-1), "prefetchCount", "between 1 and 65535");
		assertInvalid(RabbitConfig.builder().prefetchCount(0), "prefetchCount", "between 1 and 65535");
		assertInvalid(RabbitConfig.builder().concurrency(0), "concurrency", "at least 1");
		assertInvalid(RabbitConfig.builder().url("localhost:5672"), "url", "amqp://");
		assertInvalid(RabbitConfig.builder().url("amqp:///vhost"), "url", "host");
		assertInvalid(RabbitConfig.builder().exchangeType("topic"), "exchangeType", "needs an exchangeName");
		assertInvalid(RabbitConfig.builder().exchangeName("amq.mine"), "exchangeName", "reserved");
		assertInvalid(RabbitConfig.builder().queueName("q".repeat(256)), "queueName", "255 bytes");
		assertInvalid(RabbitConfig.builder().shutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout", "negative");
		assertInvalid(RabbitConfig.builder().sslOptions(Map.of("trust-store", "x.p12")), "ssl", "TLS is off");
		assertInvalid(RabbitConfig.builder().ssl(true).sslOptions(Map.of("cafile", "x")), "sslOptions",
				"known options");
		assertInvalid(RabbitConfig.builder().ssl(true).sslOptions(Map.of("verify-hostname", "maybe")),
				"sslOptions.verify-hostname", "true or false");
	}

	@Test
	void aDeliveryLimitThatEndsDeliveriesBeforeTheRetryPolicyIsRefusedNamingBothSettings() {
		// x-delivery-limit L: the broker delivers a message at most L + 1 times
		RabbitConfig.Builder quorum = RabbitConfig.builder()
			.queueType(QueueType.QUORUM)
			.retry(RetryPolicy.builder().maxAttempts(4).build());
		assertInvalid(quorum.queue(QueueArguments.builder().deliveryLimit(2).build()), "queue.deliveryLimit",
				"at most 3 time(s), fewer than retry.maxAttempts (4)");
		assertThat(quorum.queue(QueueArguments.builder().deliveryLimit(3).build()).build().queue().deliveryLimit())
			.isEqualTo(3);
		assertThat(quorum.queue(QueueArguments.builder().deliveryLimit(0).build())
			.retry(RetryPolicy.NONE)
			.build()
			.queue()
			.deliveryLimit()).isZero();
	}

	private static void assertInvalid(RabbitConfig.Builder builder, String setting, String reason) {
		assertInvalid(builder::build, setting, reason);
	}

	private static void assertInvalid(ThrowingCallable build, String setting, String reason) {
		assertThatExceptionOfType(InvalidRabbitConfigException.class).isThrownBy(build)
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(setting))
			.withMessageContaining(setting)
			.withMessageContaining(reason);
	}

	@Test
	void credentialsNeverAppearInToStringOrErrors() {
		RabbitConfig config = RabbitConfig.builder()
			.url("amqps://admin:hunter2@broker.example:5671/prod")
			.sslOptions(Map.of("trust-store", "/etc/ca.p12", "trust-store-password", "changeit"))
			.build();
		assertThat(config.toString()).doesNotContain("hunter2")
			.doesNotContain("admin")
			.doesNotContain("changeit")
			.contains("amqps://***@broker.example:5671/prod")
			.contains("/etc/ca.p12");
		assertThat(config.maskedUrl()).isEqualTo("amqps://***@broker.example:5671/prod");
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> RabbitConfig.builder().url("amqp://admin:hunter2@/").build())
			.withMessageNotContaining("hunter2");
		try (RabbitClient client = new RabbitClient("masked",
				RabbitConfig.builder().url("amqp://admin:hunter2@localhost/").build())) {
			assertThat(client.toString()).doesNotContain("hunter2").contains("amqp://***@localhost/");
		}
	}

	@Test
	void toBuilderCopiesEverything() {
		RabbitConfig config = RabbitConfig.builder()
			.url("amqp://h")
			.queueName("q")
			.exchangeName("x")
			.exchangeType("topic")
			.routingKey("k.#")
			.durable(false)
			.autoDelete(true)
			.prefetchCount(9)
			.concurrency(4)
			.shutdownTimeout(Duration.ofSeconds(2))
			.build();
		assertThat(config.toBuilder().build()).isEqualTo(config).hasSameHashCodeAs(config);
		assertThat(config.toBuilder().prefetchCount(10).build()).isNotEqualTo(config);
	}

	@Test
	void sendOptionsAreImmutable() {
		SendOptions base = SendOptions.routingKey("orders.created");
		SendOptions withHeader = base.withHeader("tenant", "a");
		assertThat(base.headers()).isEmpty();
		assertThat(withHeader.routingKey()).isEqualTo("orders.created");
		assertThat(withHeader.headers()).containsExactly(Map.entry("tenant", "a"));
		assertThat(SendOptions.none().routingKey()).isNull();
	}

}
