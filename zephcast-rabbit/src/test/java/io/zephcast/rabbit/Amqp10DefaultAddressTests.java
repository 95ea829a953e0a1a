package io.zephcast.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over AMQP 1.0 ({@code protocol=amqp-1-0}, RabbitMQ 4): the sends to the stream's
 * default address go through a link attached to it (the broker resolves the address
 * once), the sends with another routing key through the link without a target; with the
 * same outcomes either way. What the broker stored is read back over AMQP 0-9-1, and the
 * link a message came through from the address it carries, read back over AMQP 1.0 (the
 * management API does not list AMQP 1.0 links).
 */
class Amqp10DefaultAddressTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url()).protocol(Protocol.AMQP_1_0);
	}

	@Test
	void defaultSendsGoThroughTheLinkToTheDefaultAddressAndOtherKeysStillRoute() throws Exception {
		String exchange = this.names.exchange("links");
		String orders = this.names.queue("orders");
		String audit = this.names.queue("audit");
		String stream = this.names.stream("links");
		RabbitConfig config = config().exchangeName(exchange).queueName(orders).routingKey("orders").build();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			bind(audit, exchange, "audit");
			for (int i = 0; i < 3; i++) {
				client.send("order " + i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
			client.send("explicit default key", SendOptions.routingKey("orders"))
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.send("audit 1", SendOptions.routingKey("audit")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.send("audit 2", SendOptions.routingKey("audit")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		// the broker keeps the address a message carries: the link without a target
		// needs one on each, the link to the default address none
		assertThat(received(orders, 4)).containsExactly("order 0 to null", "order 1 to null", "order 2 to null",
				"explicit default key to null");
		assertThat(received(audit, 2)).containsExactly("audit 1 to /exchanges/" + exchange + "/audit",
				"audit 2 to /exchanges/" + exchange + "/audit");
	}

	@Test
	void throughTheDefaultExchangeTheLinkIsAttachedToTheQueue() throws Exception {
		String queue = this.names.queue("plain");
		String other = this.names.queue("other");
		try (RabbitClient client = new RabbitClient(this.names.stream("plain"), config().queueName(queue).build())
			.connect()) {
			bind(other, "amq.direct", "unused");
			client.send("one").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			client.send("two", SendOptions.routingKey(other)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(received(queue, 1)).containsExactly("one to null");
		assertThat(received(other, 1)).containsExactly("two to /queues/" + other);
	}

	@Test
	void aDefaultSendNoQueueTakesFailsAsUnroutableOnTheLinkToTheDefaultAddress() throws Exception {
		String exchange = this.names.exchange("unbound");
		String queue = this.names.queue("unbound");
		RabbitConfig config = config().exchangeName(exchange)
			.queueName(queue)
			.routingKey("orders")
			.bindingKeys(List.of("other"))
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("unbound"), config).connect()) {
			assertThat(client.send("lost", SendOptions.messageId("m-1"))).failsWithin(WAIT)
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(UnroutableMessageException.class)
				.withMessageContaining("m-1");
			client.send("kept", SendOptions.routingKey("other")).get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(texts(queue)).containsExactly("kept");
	}

	@Test
	void withoutDeclaringASendToAMissingExchangeFailsAsRejectedAndSendsGoOnOnceItExists() throws Exception {
		String missing = this.names.exchange("missing");
		String queue = this.names.queue("declared");
		RabbitConfig config = config().exchangeName(missing)
			.routingKey("orders")
			.declare(DeclareMode.OFF)
			.durable(true)
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("undeclared"), config).connect()) {
			// no link to an address the client did not declare: RabbitMQ 4.0 would end
			// the session every link shares
			assertThat(client.send("nowhere", SendOptions.messageId("m-1"))).failsWithin(WAIT)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class,
						(failure) -> assertThat(failure.reason()).isEqualTo(SendFailedException.Reason.NACKED))
				.withMessageContaining("m-1");
			try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
				channel.exchangeDeclare(missing, "direct", true);
			}
			bind(queue, missing, "orders");
			client.send("found").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(received(queue, 1)).containsExactly("found to /exchanges/" + missing + "/orders");
	}

	@Test
	void afterTheExchangeIsDeletedSendsFailAndResumeOnceItIsBack() throws Exception {
		String exchange = this.names.exchange("deleted");
		String queue = this.names.queue("deleted");
		RabbitConfig config = config().exchangeName(exchange).queueName(queue).routingKey("orders").build();
		try (RabbitClient client = new RabbitClient(this.names.stream("deleted"), config).connect()) {
			client.send("before").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			RabbitBroker.delete(List.of(), List.of(exchange));
			// the first may be released on the link to the default address (unroutable)
			// before the broker detaches it; each fails, none hangs
			for (int i = 0; i < 3; i++) {
				assertThat(client.send("into a missing exchange")).failsWithin(WAIT)
					.withThrowableThat()
					.havingCause()
					.isInstanceOf(SendFailedException.class);
			}
			// the next sends go without the detached link
			assertThat(client.send("still missing")).failsWithin(WAIT)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class,
						(failure) -> assertThat(failure.reason()).isEqualTo(SendFailedException.Reason.NACKED));
			new RabbitClient(this.names.stream("redeclare"), config).connect().close();
			client.send("after").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(texts(queue)).containsExactly("before", "after");
	}

	@Test
	void afterTheQueueIsDeletedSendsFailAsUnroutableAndResumeOnceItIsBack() throws Exception {
		String queue = this.names.queue("gone");
		try (RabbitClient client = new RabbitClient(this.names.stream("gone"), config().queueName(queue).build())
			.connect()) {
			client.send("before").get(WAIT.toSeconds(), TimeUnit.SECONDS);
			RabbitBroker.delete(List.of(queue), List.of());
			for (int i = 0; i < 3; i++) {
				assertThat(client.send("into a missing queue")).failsWithin(WAIT)
					.withThrowableThat()
					.havingCause()
					.isInstanceOf(UnroutableMessageException.class);
			}
			try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
				channel.queueDeclare(queue, true, false, false, null);
			}
			client.send("after").get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(texts(queue)).containsExactly("after");
	}

	/**
	 * The next messages of a queue, each as "body to address", read over AMQP 1.0 (the
	 * address a message carries does not show over AMQP 0-9-1).
	 */
	private static List<String> received(String queue, int count) throws Exception {
		Environment environment = new AmqpEnvironmentBuilder().connectionSettings()
			.uri(RabbitBroker.amqp10Uri())
			.environmentBuilder()
			.build();
		BlockingQueue<String> messages = new LinkedBlockingQueue<>();
		try (com.rabbitmq.client.amqp.Connection connection = environment.connectionBuilder().build();
				Consumer consumer = connection.consumerBuilder().queue(queue).messageHandler((context, message) -> {
					messages.add(new String(message.body(), StandardCharsets.UTF_8) + " to " + message.to());
					context.accept();
				}).build()) {
			List<String> received = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				String next = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
				assertThat(next).as("message %d of %d in %s", i + 1, count, queue).isNotNull();
				received.add(next);
			}
			return received;
		}
		finally {
			environment.close();
		}
	}

	private static void bind(String queue, String exchange, String key) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false, null);
			channel.queueBind(queue, exchange, key);
		}
	}

	private static List<String> texts(String queue) {
		return RabbitBroker.drain(queue)
			.stream()
			.map((response) -> new String(response.getBody(), StandardCharsets.UTF_8))
			.toList();
	}

}
