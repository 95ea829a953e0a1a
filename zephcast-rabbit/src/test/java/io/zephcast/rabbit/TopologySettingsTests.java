package io.zephcast.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.internal.RabbitTopology;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.BrokerManagement.BindingInfo;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Each topology setting as the broker sees it (management API), and the three declare
 * modes against existing and missing topology.
 */
class TopologySettingsTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url());
	}

	@Test
	void typedQueueArgumentsAreDeclaredOnTheBroker() {
		String queue = this.names.queue("classic");
		RabbitConfig config = config().queueName(queue)
			.queue(QueueArguments.builder()
				.messageTtl(Duration.ofMinutes(1))
				.maxLength(1000L)
				.maxLengthBytes(1_048_576L)
				.overflow(QueueOverflow.REJECT_PUBLISH)
				.singleActiveConsumer(true)
				.deadLetterExchange("elsewhere")
				.deadLetterRoutingKey("parked")
				.argument("x-max-priority", 5)
				.build())
			.build();
		try (RabbitClient client = new RabbitClient("classic", config).connect()) {
			JsonNode declared = this.broker.queue(queue).orElseThrow();
			assertThat(declared.path("type").asString()).isEqualTo("classic");
			JsonNode arguments = declared.path("arguments");
			assertThat(arguments.path("x-message-ttl").asLong()).isEqualTo(60_000);
			assertThat(arguments.path("x-max-length").asLong()).isEqualTo(1000);
			assertThat(arguments.path("x-max-length-bytes").asLong()).isEqualTo(1_048_576);
			assertThat(arguments.path("x-overflow").asString()).isEqualTo("reject-publish");
			assertThat(arguments.path("x-single-active-consumer").asBoolean()).isTrue();
			assertThat(arguments.path("x-dead-letter-exchange").asString()).isEqualTo("elsewhere");
			assertThat(arguments.path("x-dead-letter-routing-key").asString()).isEqualTo("parked");
			assertThat(arguments.path("x-max-priority").asInt()).isEqualTo(5);
			if (RabbitBroker.majorVersion() >= 4) {
				// RabbitMQ 4 writes the queue type it chose into the queue's arguments
				// itself (3.x shows only what the client sent): classic all the same
				assertThat(arguments.path("x-queue-type").asString()).as("classic queues are declared as before")
					.isEqualTo("classic");
			}
			else {
				assertThat(arguments.has("x-queue-type")).as("classic queues are declared as before").isFalse();
			}
		}
	}

	@Test
	void aQuorumQueueIsDeclaredWithItsDeliveryLimitAndItsRetryQueuesAreQuorumToo() throws Exception {
		String queue = this.names.queue("quorum");
		RabbitConfig config = config().queueName(queue)
			.queueType(QueueType.QUORUM)
			.queue(QueueArguments.builder().deliveryLimit(5).build())
			.build();
		try (RabbitClient client = new RabbitClient("quorum", config).connect()) {
			client.receive(Duration.ZERO);
			JsonNode declared = this.broker.queue(queue).orElseThrow();
			assertThat(declared.path("type").asString()).isEqualTo("quorum");
			assertThat(declared.path("arguments").path("x-delivery-limit").asInt()).isEqualTo(5);
			for (var wait : RabbitTopology.of(client.streamName(), client.config()).retryQueues().waitQueues()) {
				JsonNode waitQueue = this.broker.queue(wait.getName()).orElseThrow();
				assertThat(waitQueue.path("type").asString()).isEqualTo("quorum");
				assertThat(waitQueue.path("arguments").path("x-dead-letter-strategy").asString())
					.isEqualTo("at-least-once");
				assertThat(waitQueue.path("arguments").path("x-dead-letter-routing-key").asString()).isEqualTo(queue);
			}
			assertThat(RabbitTopology.of(client.streamName(), client.config()).retryQueues().waitQueues())
				.extracting((wait) -> wait.getName())
				.containsExactly(queue + ".retry.1000", queue + ".retry.2000");
			assertThat(this.broker.queue(queue + ".dlq").orElseThrow().path("type").asString()).isEqualTo("quorum");
		}
	}

	@Test
	void severalBindingKeysBindTheQueueOncePerKey() throws Exception {
		String exchange = this.names.exchange("orders");
		String queue = this.names.queue("orders");
		RabbitConfig config = config().exchangeName(exchange)
			.exchangeType(ExchangeType.TOPIC)
			.queueName(queue)
			.routingKey("orders.created")
			.bindingKeys(List.of("orders.created", "orders.updated"))
			.build();
		try (RabbitClient client = new RabbitClient("orders", config).connect()) {
			assertThat(this.broker.bindings(queue)).containsExactlyInAnyOrder(
					new BindingInfo(exchange, "orders.created"), new BindingInfo(exchange, "orders.updated"));
			client.send("updated", SendOptions.routingKey("orders.updated")).get(10, TimeUnit.SECONDS);
			assertThat(receiveAndAck(client).routingKey()).isEqualTo("orders.updated");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(
					() -> client.send("deleted", SendOptions.routingKey("orders.deleted")).get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(UnroutableMessageException.class);
		}
	}

	@Test
	void aHeadersBindingMatchesOnItsArgumentsInsteadOfRoutingEverything() throws Exception {
		String exchange = this.names.exchange("tenants");
		RabbitConfig config = config().exchangeName(exchange)
			.exchangeType(ExchangeType.HEADERS)
			.queueName(this.names.queue("tenant-a"))
			.bindingArguments(Map.of("x-match", "all", "tenant", "a"))
			.build();
		try (RabbitClient client = new RabbitClient("tenants", config).connect()) {
			client.send("for a", SendOptions.header("tenant", "a")).get(10, TimeUnit.SECONDS);
			assertThat(receiveAndAck(client).text()).isEqualTo("for a");
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> client.send("for b", SendOptions.header("tenant", "b")).get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(UnroutableMessageException.class);
		}
	}

	@Test
	void verifyAcceptsTopologyThatExistsAsConfiguredAndDeclaresNothing() throws Exception {
		RabbitConfig owner = ownedTopology();
		try (RabbitClient declaring = new RabbitClient("owner", owner).connect()) {
			declaring.receive(Duration.ZERO);
		}
		try (RabbitClient verifying = new RabbitClient("verifier",
				owner.toBuilder().declare(DeclareMode.VERIFY).build())
			.connect()) {
			verifying.send("checked").get(10, TimeUnit.SECONDS);
			assertThat(receiveAndAck(verifying).text()).isEqualTo("checked");
		}
	}

	@Test
	void verifyFailsNamingTheSettingWhenTopologyIsMissingOrDiffers() {
		RabbitConfig owner = ownedTopology();
		RabbitConfig verify = owner.toBuilder().declare(DeclareMode.VERIFY).build();
		try (RabbitClient missing = new RabbitClient("missing", verify)) {
			TopologyMismatchException failure = catchThrowableOfType(TopologyMismatchException.class, missing::connect);
			assertThat(failure.setting()).isEqualTo("exchangeName");
			assertThat(failure).hasMessageContaining("does not exist")
				.hasMessageContaining("declare=verify")
				.hasMessageContaining("(declare=true)");
		}
		assertThat(this.broker.exchange(owner.exchangeName())).as("verify created nothing").isEmpty();

		try (RabbitClient declaring = new RabbitClient("owner", owner).connect()) {
			// the owner's queue
		}
		RabbitConfig differing = verify.toBuilder().queue(QueueArguments.builder().maxLength(20L).build()).build();
		try (RabbitClient client = new RabbitClient("differs", differing)) {
			TopologyMismatchException failure = catchThrowableOfType(TopologyMismatchException.class, client::connect);
			assertThat(failure.setting()).isEqualTo("queue.maxLength");
			assertThat(failure).hasMessageContaining("x-max-length");
		}
	}

	@Test
	void offTouchesNothingButChecksTheQueuesItsRetriesNeed() throws Exception {
		RabbitConfig owner = ownedTopology();
		RabbitConfig off = owner.toBuilder().declare(DeclareMode.OFF).build();
		try (RabbitClient client = new RabbitClient("off", off).connect()) {
			assertThat(this.broker.exchange(owner.exchangeName())).isEmpty();
			assertThat(this.broker.queue(owner.queueName())).isEmpty();
		}
		try (RabbitClient declaring = new RabbitClient("owner", owner).connect()) {
			// the operators' exchange and queue, without the retry queues
		}
		try (RabbitClient client = new RabbitClient("off", off).connect()) {
			TopologyMismatchException failure = catchThrowableOfType(TopologyMismatchException.class,
					() -> client.receive(Duration.ZERO));
			assertThat(failure.setting()).isEqualTo("retry");
			assertThat(failure).hasMessageContaining(owner.queueName() + ".retry.1000");
		}
		try (RabbitClient declaring = new RabbitClient("owner", owner).connect()) {
			declaring.receive(Duration.ZERO);
		}
		try (RabbitClient client = new RabbitClient("off", off).connect()) {
			client.send("in the operators' queue").get(10, TimeUnit.SECONDS);
			assertThat(receiveAndAck(client).text()).isEqualTo("in the operators' queue");
		}
	}

	@Test
	void declaringAQuorumQueueWhereAClassicOneExistsNamesQueueType() {
		String queue = this.names.queue("typed");
		try (RabbitClient classic = new RabbitClient("classic", config().queueName(queue).build()).connect()) {
			// a classic queue of that name
		}
		RabbitConfig quorum = config().queueName(queue).queueType(QueueType.QUORUM).build();
		try (RabbitClient client = new RabbitClient("quorum", quorum)) {
			TopologyMismatchException failure = catchThrowableOfType(TopologyMismatchException.class, client::connect);
			assertThat(failure.setting()).isEqualTo("queueType");
		}
	}

	private static RabbitMessage receiveAndAck(RabbitClient client) {
		RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
		client.ack(message);
		return message;
	}

	private RabbitConfig ownedTopology() {
		return config().exchangeName(this.names.exchange("owned"))
			.routingKey("owned")
			.queueName(this.names.queue("owned"))
			.queue(QueueArguments.builder().maxLength(10L).build())
			.build();
	}

}
