package io.zephcast.rabbit;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RabbitClient#status()} tells of an AMQP 1.0 client on RabbitMQ 4, checked
 * against what the broker holds.
 */
class Amqp10StatusTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void aDeadLetterCopyTheBrokerDidNotStoreCountsAsAParkingFailure() throws Exception {
		String nowhere = this.names.exchange("nowhere");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			// an exchange without bindings: the broker releases the copy (no route)
			channel.exchangeDeclare(nowhere, "direct", true);
		}
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.protocol(Protocol.AMQP_1_0)
			.queueName(this.names.queue("parking"))
			.retry(RetryPolicy.NONE)
			.queue(QueueArguments.builder().deadLetterExchange(nowhere).build())
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("parking"), config).connect()) {
			client.send("poison", SendOptions.messageId("poison-1")).get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(client.status().parkingFailures()).isZero();

			client.deadLetter(message, new IllegalStateException("poison")).get(10, TimeUnit.SECONDS);

			assertThat(client.status().parkingFailures()).isEqualTo(1);
			assertThat(client.status().lastParkingFailure()).isNotNull();
			// held back, not lost: the message is in its queue again
			RabbitMessage again = client.receive(Duration.ofSeconds(10)).orElseThrow();
			assertThat(again.messageId()).isEqualTo("poison-1");
			client.ack(again);
			assertThat(client.status().deliveriesHeldUnparked()).isZero();
		}
		assertThat(RabbitBroker.readyMessages(config.queueName())).isZero();
	}

}
