package io.zephcast.rabbit;

import java.time.Duration;
import java.util.List;

import io.zephcast.test.BrokerManagement;
import io.zephcast.test.BrokerManagement.BindingInfo;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The topology an AMQP 1.0 client declares through RabbitMQ 4's AMQP 1.0 management,
 * checked through the broker's HTTP management API.
 */
class Amqp10TopologyTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url()).protocol(Protocol.AMQP_1_0);
	}

	@Test
	void declareOnCreatesExchangeQueueBindingsAndRetryQueues() {
		String exchange = this.names.exchange("events");
		String queue = this.names.queue("events");
		RabbitConfig config = config().exchangeName(exchange)
			.exchangeType(ExchangeType.TOPIC)
			.queueName(queue)
			.queueType(QueueType.QUORUM)
			.bindingKeys(List.of("orders.*", "invoices.#"))
			.queue(QueueArguments.builder().maxLength(1000L).messageTtl(Duration.ofMinutes(5)).build())
			.retry(RetryPolicy.builder().maxAttempts(3).initialInterval(Duration.ofSeconds(1)).multiplier(2.0).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("events"), config).connect()) {
			JsonNode declaredExchange = this.broker.exchange(exchange).orElseThrow();
			assertThat(declaredExchange.get("type").asString()).isEqualTo("topic");
			assertThat(declaredExchange.get("durable").asBoolean()).isTrue();
			JsonNode declaredQueue = this.broker.queue(queue).orElseThrow();
			assertThat(declaredQueue.get("type").asString()).isEqualTo("quorum");
			assertThat(declaredQueue.get("durable").asBoolean()).isTrue();
			assertThat(declaredQueue.path("arguments").path("x-max-length").asLong()).isEqualTo(1000);
			assertThat(declaredQueue.path("arguments").path("x-message-ttl").asLong()).isEqualTo(300_000);
			assertThat(this.broker.bindings(queue)).containsExactlyInAnyOrder(new BindingInfo(exchange, "orders.*"),
					new BindingInfo(exchange, "invoices.#"));
			// the retry and dead-letter queues come with consuming, as over AMQP 0-9-1
			assertThat(this.broker.queue(queue + ".retry.1000")).isEmpty();
		}
	}

	@Test
	void verifyOnAMissingQueueFailsConnectWithTopologyMismatchAndLeavesNoConnection() {
		String queue = this.names.queue("missing");
		String stream = this.names.stream("verify");
		RabbitConfig config = config().queueName(queue).declare(DeclareMode.VERIFY).build();
		RabbitClient client = new RabbitClient(stream, config);
		assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(client::connect)
			.withMessageContaining(queue)
			.withMessageContaining("does not exist")
			.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("queueName"));
		assertThat(client.isConnected()).isFalse();
		assertThat(this.broker.queue(queue)).isEmpty();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !this.broker.connectionNames().contains(stream));
		client.close();
	}

	@Test
	void verifyPassesOnAMatchingQueueAndFailsOnADifferentOne() {
		String queue = this.names.queue("verified");
		RabbitConfig declaring = config().queueName(queue)
			.queue(QueueArguments.builder().maxLength(10L).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("declaring"), declaring).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
		RabbitConfig verifying = declaring.toBuilder().declare(DeclareMode.VERIFY).build();
		try (RabbitClient client = new RabbitClient(this.names.stream("verifying"), verifying).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
		RabbitConfig other = declaring.toBuilder()
			.declare(DeclareMode.VERIFY)
			.queue(QueueArguments.builder().maxLength(20L).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("other"), other)) {
			assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(client::connect)
				.withMessageContaining("x-max-length")
				.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("queue.maxLength"));
		}
	}

	@Test
	void verifyFailsOnAQueueWithAnArgumentTheClientDoesNotDeclare() {
		String queue = this.names.queue("extra");
		RabbitConfig declaring = config().queueName(queue)
			.queue(QueueArguments.builder().messageTtl(Duration.ofMinutes(1)).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("extra"), declaring).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
		RabbitConfig verifying = config().queueName(queue).declare(DeclareMode.VERIFY).build();
		try (RabbitClient client = new RabbitClient(this.names.stream("plain"), verifying)) {
			assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(client::connect)
				.withMessageContaining("x-message-ttl")
				.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("queue.messageTtl"));
		}
	}

	@Test
	void declareOnWithDifferentArgumentsFailsNamingTheSetting() {
		String queue = this.names.queue("differs");
		RabbitConfig first = config().queueName(queue).queue(QueueArguments.builder().maxLength(10L).build()).build();
		try (RabbitClient client = new RabbitClient(this.names.stream("first"), first).connect()) {
			assertThat(client.isConnected()).isTrue();
		}
		RabbitConfig second = first.toBuilder().queue(QueueArguments.builder().maxLength(20L).build()).build();
		try (RabbitClient client = new RabbitClient(this.names.stream("second"), second)) {
			assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(client::connect)
				.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("queue.maxLength"));
		}
	}

	@Test
	void nonDurableTopologyIsRefusedWhenTheClientIsBuilt() {
		RabbitConfig config = config().queueName(this.names.queue("transient")).durable(false).build();
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> new RabbitClient(this.names.stream("transient"), config))
			.withMessageContaining("durable")
			.withMessageContaining("amqp-1-0");
	}

}
