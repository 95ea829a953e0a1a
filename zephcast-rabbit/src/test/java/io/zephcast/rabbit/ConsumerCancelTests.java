package io.zephcast.rabbit;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumers the broker cancels while the client runs (their queue deleted): the client
 * subscribes again where it can, and says why it cannot where it cannot.
 */
class ConsumerCancelTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private static RabbitConfig.Builder config(String queue) {
		return RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue);
	}

	private static void deleteQueue(String queue) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDelete(queue);
		}
	}

	/**
	 * Declares the queue and the retry queues beside it, as an operator would have.
	 */
	private static void declareAsOperator(String queue) {
		try (RabbitClient operator = new RabbitClient("operator", config(queue).build()).connect()) {
			// consuming declares the retry queues too
			assertThat(operator.receive(Duration.ofMillis(1))).isEmpty();
		}
	}

	@Test
	void aQueueDeletedUnderAHandlerIsDeclaredAgainAndConsumedFrom() throws Exception {
		String queue = this.names.queue("deleted");
		LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
		try (RabbitClient client = new RabbitClient("deleted", config(queue).build()).connect()) {
			client.subscribe((message) -> handled.add(message.text()));
			client.send("before").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

			deleteQueue(queue);
			await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
				assertThat(RabbitBroker.management().queue(queue)).as("declared again").isPresent();
				assertThat(RabbitBroker.consumers(queue)).isEqualTo(1);
			});
			assertThat(client.status().consumersRunning()).isEqualTo(1);
			assertThat(client.status().consumerFailure()).isNull();

			client.send("after").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aPullingClientsQueueDeletedIsDeclaredAgainAndReceivedFrom() throws Exception {
		String queue = this.names.queue("deleted-pull");
		try (RabbitClient client = new RabbitClient("deleted-pull", config(queue).build()).connect()) {
			client.send("before").get(10, TimeUnit.SECONDS);
			client.ack(client.receive().get(10, TimeUnit.SECONDS));

			deleteQueue(queue);
			await().atMost(Duration.ofSeconds(15))
				.ignoreExceptions()
				.untilAsserted(() -> assertThat(RabbitBroker.consumers(queue)).isEqualTo(1));
			client.send("after").get(10, TimeUnit.SECONDS);
			RabbitMessage after = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(after.text()).isEqualTo("after");
			client.ack(after);
		}
	}

	@Test
	void withDeclareVerifyAGoneQueueLeavesNoConsumerWithTheReasonUntilTheQueueIsBack() throws Exception {
		String queue = this.names.queue("verified");
		declareAsOperator(queue);
		LinkedBlockingQueue<String> handled = new LinkedBlockingQueue<>();
		try (RabbitClient client = new RabbitClient("verified", config(queue).declare(DeclareMode.VERIFY).build())
			.connect()) {
			client.subscribe((message) -> handled.add(message.text()));
			client.send("before").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

			deleteQueue(queue);
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				assertThat(client.status().consumersRunning()).isZero();
				assertThat(client.status().consumerFailure()).isNotNull()
					.startsWith("consumer cancelled by the broker")
					.contains("queue '" + queue + "'")
					.contains("does not exist");
			});
			assertThat(RabbitBroker.management().queue(queue)).as("verify never creates it").isEmpty();

			// the operator creates it again: the client subscribes by itself
			declareAsOperator(queue);
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				assertThat(client.status().consumersRunning()).isEqualTo(1);
				assertThat(client.status().consumerFailure()).isNull();
			});
			client.send("after").get(10, TimeUnit.SECONDS);
			assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
		}
	}

	@Test
	void aQueueGoneWhileTheConnectionWasDownIsReportedAfterTheReconnect() throws Exception {
		String queue = this.names.queue("gone-meanwhile");
		declareAsOperator(queue);
		try (TcpProxy proxy = TcpProxy.forBroker().accept();
				RabbitClient client = new RabbitClient("gone-meanwhile",
						RabbitConfig.builder().url(proxy.url()).queueName(queue).declare(DeclareMode.VERIFY).build())
					.connect()) {
			client.subscribe((message) -> {
			});
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(client.status().consumersRunning()).isEqualTo(1));

			proxy.refuse();
			deleteQueue(queue);
			proxy.accept();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(client.status().lastConnectionFailure()).isNotNull();
				assertThat(client.status().consumersRunning()).isZero();
				assertThat(client.status().consumerFailure()).isNotNull()
					.contains("queue '" + queue + "'")
					.contains("declare=verify");
			});
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void withDeclareFalseAGoneQueueIsReportedNotFound() throws Exception {
		String queue = this.names.queue("unmanaged");
		declareAsOperator(queue);
		try (RabbitClient client = new RabbitClient("unmanaged", config(queue).declare(DeclareMode.OFF).build())
			.connect()) {
			client.subscribe((message) -> {
			});
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(client.status().consumersRunning()).isEqualTo(1));

			deleteQueue(queue);
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				assertThat(client.status().consumersRunning()).isZero();
				assertThat(client.status().consumerFailure())
					.isEqualTo("consumer cancelled by the broker: queue '" + queue + "' not found");
			});
			assertThat(RabbitBroker.management().queue(queue)).isEmpty();
		}
	}

}
