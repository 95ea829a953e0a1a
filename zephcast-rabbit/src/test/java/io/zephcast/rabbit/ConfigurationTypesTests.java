package io.zephcast.rabbit;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The configuration value types as classes with builders: equal by value, rebuilt
 * unchanged by {@code toBuilder()}, validated at build, and without credentials in
 * {@code toString()}.
 */
class ConfigurationTypesTests {

	@Test
	void toBuilderRebuildsAnEqualValue() {
		RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).jitter(0.25).build();
		assertThat(retry.toBuilder().build()).isEqualTo(retry).hasSameHashCodeAs(retry);
		QueueArguments queue = QueueArguments.builder()
			.messageTtl(Duration.ofSeconds(3))
			.maxLength(10L)
			.deadLetterExchange("dlx")
			.deadLetterRoutingKey("parked")
			.argument("x-queue-leader-locator", "balanced")
			.build();
		assertThat(queue.toBuilder().build()).isEqualTo(queue).hasSameHashCodeAs(queue);
		PublisherOptions publisher = PublisherOptions.builder().maxInFlight(7).build();
		assertThat(publisher.toBuilder().build()).isEqualTo(publisher);
		assertThat(publisher).isEqualTo(PublisherOptions.DEFAULTS.withMaxInFlight(7));
		ConnectionOptions connection = ConnectionOptions.builder().addresses("a:5672", "b:5673").build();
		assertThat(connection.toBuilder().build()).isEqualTo(connection).hasSameHashCodeAs(connection);
		assertThat(AckCoalescing.of(64, Duration.ofMillis(5))).isEqualTo(AckCoalescing.of(64, Duration.ofMillis(5)))
			.isNotEqualTo(AckCoalescing.OFF);
	}

	@Test
	void theConstantsKeepTheirValues() {
		assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(3);
		assertThat(RetryPolicy.DEFAULT.intervals()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
		assertThat(RetryPolicy.NONE.maxAttempts()).isEqualTo(1);
		assertThat(AckCoalescing.OFF.maxMessages()).isEqualTo(1);
		assertThat(PublisherOptions.DEFAULTS.maxMessageSize()).isEqualTo(16L * 1024 * 1024);
		assertThat(QueueArguments.NONE.toArguments(QueueType.CLASSIC)).isEmpty();
		assertThat(ConnectionOptions.DEFAULTS.addresses()).isEmpty();
	}

	@Test
	void buildRefusesAValueThatCannotWorkNamingTheSetting() {
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> PublisherOptions.builder().maxBlock(Duration.ofSeconds(-1)).build())
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("publisher.maxBlock"));
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> QueueArguments.builder().maxLengthBytes(-1L).build())
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("queue.maxLengthBytes"));
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> AckCoalescing.of(0, Duration.ofMillis(5)))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("ackCoalescing.maxMessages"));
	}

	@Test
	void toStringLeavesCredentialsOut() {
		ConnectionOptions connection = ConnectionOptions.builder().addresses("amqp://user:s3cret@node1:5672").build();
		assertThat(connection.toString()).doesNotContain("s3cret").contains("node1");
		assertThat(RetryPolicy.DEFAULT.toString()).startsWith("RetryPolicy[maxAttempts=3");
	}

}
