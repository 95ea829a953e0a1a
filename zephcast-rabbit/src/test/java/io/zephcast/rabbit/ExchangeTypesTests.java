package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.internal.BrokerScenarios;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.BrokerManagement.BindingInfo;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's exchange examples on a real broker, checking the declared topology through
 * the broker's management API, not only through the client.
 */
class ExchangeTypesTests {

	private static final Duration QUIET = Duration.ofMillis(500);

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url());
	}

	@Test
	void directExchangeRoutesByExactKeyAndIsDeclaredAsConfigured() throws Exception {
		String exchange = this.names.exchange("direct");
		String queue = this.names.queue("direct");
		RabbitConfig config = config().exchangeName(exchange)
			.exchangeType("direct")
			.queueName(queue)
			.routingKey("invoices")
			.build();
		try (RabbitClient client = new RabbitClient("direct", config).connect()) {
			JsonNode declared = this.broker.exchange(exchange).orElseThrow();
			assertThat(declared.get("type").asString()).isEqualTo("direct");
			assertThat(declared.get("durable").asBoolean()).isTrue();
			assertThat(declared.get("auto_delete").asBoolean()).isFalse();
			JsonNode declaredQueue = this.broker.queue(queue).orElseThrow();
			assertThat(declaredQueue.get("durable").asBoolean()).isTrue();
			assertThat(declaredQueue.get("auto_delete").asBoolean()).isFalse();
			assertThat(this.broker.bindings(queue)).containsExactly(new BindingInfo(exchange, "invoices"));

			client.send("to invoices").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("to invoices");
			assertThat(message.exchange()).isEqualTo(exchange);
			assertThat(message.routingKey()).isEqualTo("invoices");
			client.ack(message);
			assertThat(client.send("elsewhere", SendOptions.routingKey("receipts"))).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class);
		}
	}

	@Test
	void topicExchangeDeliversMatchingKeysOnly() throws Exception {
		String exchange = this.names.exchange("topic");
		String queue = this.names.queue("orders");
		RabbitConfig consumerConfig = config().exchangeName(exchange)
			.exchangeType(ExchangeType.TOPIC)
			.queueName(queue)
			.routingKey("orders.#")
			.prefetchCount(10)
			.build();
		RabbitConfig publisherConfig = config().exchangeName(exchange).exchangeType(ExchangeType.TOPIC).build();
		try (RabbitClient consumer = new RabbitClient("orders-consumer", consumerConfig).connect();
				RabbitClient publisher = new RabbitClient("orders-publisher", publisherConfig).connect()) {
			assertThat(this.broker.exchange(exchange).orElseThrow().get("type").asString()).isEqualTo("topic");
			assertThat(this.broker.bindings(queue)).containsExactly(new BindingInfo(exchange, "orders.#"));

			publisher.send("created", SendOptions.routingKey("orders.created")).get(10, TimeUnit.SECONDS);
			publisher.send("updated", SendOptions.routingKey("orders.updated")).get(10, TimeUnit.SECONDS);
			assertThat(publisher.send("paid", SendOptions.routingKey("payments.x"))).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class);

			List<String> received = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				RabbitMessage message = consumer.receive().get(10, TimeUnit.SECONDS);
				received.add(message.routingKey() + ":" + message.text());
				consumer.ack(message);
			}
			assertThat(received).containsExactlyInAnyOrder("orders.created:created", "orders.updated:updated");
			assertThat(consumer.receive(QUIET)).isEmpty();
		}
	}

	@Test
	void fanoutExchangeDeliversToEveryBoundQueueIgnoringTheRoutingKey() throws Exception {
		String exchange = this.names.exchange("fanout");
		String first = this.names.stream("audit");
		String second = this.names.stream("mailer");
		RabbitConfig.Builder fanout = config().exchangeName(exchange).exchangeType("fanout").routingKey("ignored");
		try (RabbitClient audit = new RabbitClient(first, fanout.build()).connect();
				RabbitClient mailer = new RabbitClient(second, fanout.build()).connect();
				RabbitClient publisher = new RabbitClient("announcer", fanout.build()).connect()) {
			// consuming declares each subscriber's queue, named after its stream
			assertThat(audit.receive(Duration.ZERO)).isEmpty();
			assertThat(mailer.receive(Duration.ZERO)).isEmpty();
			assertThat(this.broker.exchange(exchange).orElseThrow().get("type").asString()).isEqualTo("fanout");
			assertThat(this.broker.bindings(first)).containsExactly(new BindingInfo(exchange, ""));
			assertThat(this.broker.bindings(second)).containsExactly(new BindingInfo(exchange, ""));

			publisher.send("hello all", SendOptions.routingKey("whatever.key")).get(10, TimeUnit.SECONDS);
			for (RabbitClient subscriber : List.of(audit, mailer)) {
				RabbitMessage message = subscriber.receive().get(10, TimeUnit.SECONDS);
				assertThat(message.text()).isEqualTo("hello all");
				subscriber.ack(message);
			}
			assertThat(this.broker.queue("announcer")).as("the publisher declared no queue").isEmpty();
		}
	}

	@Test
	void headersExchangeWithoutBindingArgumentsRoutesEverything() throws Exception {
		String exchange = this.names.exchange("headers");
		String queue = this.names.queue("headers");
		RabbitConfig config = config().exchangeName(exchange).exchangeType("headers").queueName(queue).build();
		try (RabbitClient client = new RabbitClient("headers", config).connect()) {
			assertThat(this.broker.exchange(exchange).orElseThrow().get("type").asString()).isEqualTo("headers");
			client.send("any", SendOptions.header("region", "eu")).get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(message.header("region")).hasToString("eu");
			client.ack(message);
		}
	}

	@Test
	void nonDurableAutoDeleteTopologyIsDeclaredSo() throws Exception {
		String exchange = this.names.exchange("transient");
		String queue = this.names.queue("transient");
		RabbitConfig config = config().exchangeName(exchange)
			.exchangeType("topic")
			.queueName(queue)
			.routingKey("a.*")
			.durable(false)
			.autoDelete(true)
			.build();
		if (BrokerScenarios.isRabbitMq4(RabbitBroker.url())) {
			// RabbitMQ 4 deprecates transient shared queues: refused before anything is
			// declared (BrokerCompatibilityTests)
			try (RabbitClient client = new RabbitClient("transient", config)) {
				assertThat(org.assertj.core.api.Assertions
					.catchThrowableOfType(BrokerCompatibilityException.class, client::connect)
					.setting()).isEqualTo("durable");
				assertThat(this.broker.exchange(exchange)).isEmpty();
				assertThat(this.broker.queue(queue)).isEmpty();
			}
			return;
		}
		try (RabbitClient client = new RabbitClient("transient", config).connect()) {
			JsonNode declared = this.broker.exchange(exchange).orElseThrow();
			assertThat(declared.get("durable").asBoolean()).isFalse();
			assertThat(declared.get("auto_delete").asBoolean()).isTrue();
			Optional<JsonNode> declaredQueue = this.broker.queue(queue);
			assertThat(declaredQueue.orElseThrow().get("durable").asBoolean()).isFalse();
			assertThat(declaredQueue.orElseThrow().get("auto_delete").asBoolean()).isTrue();
			assertThat(this.broker.bindings(queue)).containsExactly(new BindingInfo(exchange, "a.*"));
		}
	}

	@Test
	void withoutAnExchangeMessagesGoThroughTheDefaultExchangeToTheQueue() throws Exception {
		String stream = this.names.stream("plain");
		try (RabbitClient client = new RabbitClient(stream, config().build()).connect()) {
			assertThat(client.receive(Duration.ZERO)).isEmpty();
			assertThat(this.broker.queue(stream)).as("queue named after the stream").isPresent();
			client.send("plain").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(message.exchange()).isEmpty();
			assertThat(message.routingKey()).isEqualTo(stream);
			client.ack(message);
		}
	}

	@Test
	void aQueueThatExistsWithOtherSettingsIsANamedErrorAtConnect() throws Exception {
		String queue = this.names.queue("mismatch");
		try (RabbitClient durable = new RabbitClient("first", config().queueName(queue).build()).connect()) {
			assertThat(durable.isConnected()).isTrue();
		}
		// auto-delete rather than transient: RabbitMQ 4 refuses a transient queue before
		// the broker is asked
		try (RabbitClient autoDeleteClient = new RabbitClient("second",
				config().queueName(queue).autoDelete(true).build())) {
			TopologyMismatchException failure = org.assertj.core.api.Assertions
				.catchThrowableOfType(TopologyMismatchException.class, autoDeleteClient::connect);
			assertThat(failure.setting()).isEqualTo("autoDelete");
			assertThat(failure).hasMessageContaining("Queue '" + queue + "' already exists")
				.hasMessageContaining("'autoDelete'");
		}
	}

	@Test
	void anExchangeThatExistsWithAnotherTypeIsANamedErrorAtConnect() throws Exception {
		String exchange = this.names.exchange("typed");
		try (RabbitClient topic = new RabbitClient("first",
				config().exchangeName(exchange).exchangeType("topic").build())
			.connect()) {
			assertThat(topic.isConnected()).isTrue();
		}
		try (RabbitClient fanout = new RabbitClient("second",
				config().exchangeName(exchange).exchangeType("fanout").build())) {
			TopologyMismatchException failure = org.assertj.core.api.Assertions
				.catchThrowableOfType(TopologyMismatchException.class, fanout::connect);
			assertThat(failure.setting()).isEqualTo("exchangeType");
			assertThat(failure).hasMessageContaining("type 'topic'").hasMessageContaining("'fanout'");
		}
	}

}
