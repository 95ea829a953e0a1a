package io.zephcast.rabbit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link BrokerCompatibilityTests} against RabbitMQ 4.0, whatever the broker under test:
 * the refusals, plus what only 4.x does (a quorum queue's default delivery limit). The
 * broker is {@code zephcast.test.rabbitmq4.url} (default
 * {@code amqp://guest:guest@127.0.0.1:5690/}, where {@code .ci/rabbitmq4-up} runs it);
 * the class fails, never skips, when it does not answer.
 */
class RabbitMq4CompatibilityTests extends BrokerCompatibilityTests {

	private static final String URL = System.getProperty("zephcast.test.rabbitmq4.url",
			"amqp://guest:guest@127.0.0.1:5690/");

	@BeforeAll
	static void rabbitMq4Answers() {
		URI uri = URI.create(URL);
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
		}
		catch (IOException ex) {
			fail("RabbitMQ 4.0 does not answer at " + uri.getHost() + ":" + uri.getPort()
					+ " (zephcast.test.rabbitmq4.url): run .ci/rabbitmq4-up (" + ex.getMessage() + ")");
		}
	}

	@Override
	String brokerUrl() {
		return URL;
	}

	@Test
	void theBrokerIsRabbitMq4() {
		assertThat(broker().isRabbitMq4()).as("RabbitMQ at %s is %s, not 4.x", AmqpUrl.mask(URL), broker().version())
			.isTrue();
	}

	@Test
	void aQuorumQueueWithoutDeadLetterExchangeIsWarnedAboutOnceForTheDefaultDeliveryLimit() {
		RabbitClient client = broker().client(broker().config("no-dlx").queueType(QueueType.QUORUM).build());
		client.connect();
		client.subscribe((message) -> {
		});
		assertThat(broker().warnings()).filteredOn((warning) -> warning.contains("queue.deadLetterExchange"))
			.singleElement()
			.asString()
			.contains("RabbitMQ " + broker().version() + " gives quorum queues a delivery limit of 20",
					"queue.deliveryLimit not set", "dropped by the broker");
	}

	@Test
	void aQuorumQueueWithADeadLetterExchangeIsNotWarnedAbout() {
		RabbitClient client = broker().client(broker().config("dlx")
			.queueType(QueueType.QUORUM)
			.queue(QueueArguments.builder().deadLetterExchange("amq.fanout").build())
			.build());
		client.connect();
		assertThat(broker().warnings()).isEmpty();
	}

}
