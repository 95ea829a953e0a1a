package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Map;

import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client knows its broker, against the broker under test ({@link RabbitBroker}): its
 * version in the status, the settings RabbitMQ 4 removed or deprecates refused on 4.x and
 * warned about on 3.x, requeues the broker counts on every version, and attempts never
 * read from {@code x-death}. {@link RabbitMq4CompatibilityTests} runs the 4.x side
 * against RabbitMQ 4.0 whatever the broker under test.
 */
class BrokerCompatibilityTests {

	private BrokerScenarios broker;

	@BeforeEach
	void broker(TestInfo test) {
		this.broker = new BrokerScenarios(brokerUrl(), test.getTestMethod().orElseThrow().getName());
	}

	/**
	 * The broker the tests run against.
	 * @return its AMQP URL
	 */
	String brokerUrl() {
		return RabbitBroker.url();
	}

	BrokerScenarios broker() {
		return this.broker;
	}

	@AfterEach
	void cleanUp() {
		this.broker.close();
	}

	@Test
	void theStatusShowsTheBrokersVersionAndCapabilitiesOnceConnected() {
		RabbitClient client = this.broker.client(this.broker.config("status").build());
		assertThat(client.status().brokerVersion()).isEmpty();
		assertThat(client.status().brokerCapabilities()).isEmpty();
		client.connect();
		assertThat(client.status().brokerVersion()).contains(this.broker.version());
		assertThat(client.status().brokerCapabilities()).contains("publisher_confirms", "per_consumer_qos",
				"basic.nack", "consumer_cancel_notify");
	}

	@Test
	void aNonDurableQueueIsRefusedOn4AndWarnedAboutOnceOn3() {
		RabbitClient client = this.broker.client(this.broker.config("transient").durable(false).build());
		this.broker.assertRefusedOn4WarnedOn3(client, "durable", "(durable=false)");
		if (!this.broker.isRabbitMq4()) {
			// consuming declares the non-durable wait and dead-letter queues too: still
			// the one warning
			client.subscribe((message) -> {
			});
			assertThat(this.broker.queueExists(
					RabbitTopology.of(client.streamName(), client.config()).retryQueues().deadLetterQueue().getName()))
				.isTrue();
			assertThat(this.broker.warnings()).filteredOn((warning) -> warning.contains("durable=false")).hasSize(1);
		}
	}

	@Test
	void xQueueModeIsRefusedOn4AndWarnedAboutOn3() {
		RabbitClient client = this.broker.client(this.broker.config("lazy")
			.queue(QueueArguments.builder().argument("x-queue-mode", "lazy").build())
			.build());
		this.broker.assertRefusedOn4WarnedOn3(client, "queue.arguments", "remove x-queue-mode from queue.arguments");
	}

	@Test
	void xQueueMasterLocatorIsRefusedOn4AndWarnedAboutOn3() {
		RabbitClient client = this.broker.client(this.broker.config("locator")
			.queue(QueueArguments.builder().argument("x-queue-master-locator", "min-masters").build())
			.build());
		this.broker.assertRefusedOn4WarnedOn3(client, "queue.arguments", "use x-queue-leader-locator");
	}

	@Test
	void globalQosIsRefusedOn4AndWarnedAboutOn3() {
		RabbitClient client = this.broker.globalQosClient(this.broker.config("global-qos").build());
		this.broker.assertRefusedOn4WarnedOn3(client, "prefetchCount", "global QoS (setGlobalQos(true))");
	}

	@Test
	void aQuorumQueueWithADeliveryLimitButNoDeadLetterExchangeIsWarnedAboutOnce() {
		RabbitClient client = this.broker.client(this.broker.config("limited")
			.queueType(QueueType.QUORUM)
			.queue(QueueArguments.builder().deliveryLimit(5).build())
			.build());
		client.connect();
		assertThat(this.broker.warnings()).filteredOn((warning) -> warning.contains("queue.deadLetterExchange"))
			.singleElement()
			.asString()
			.contains("queue.deliveryLimit is 5", "dropped by the broker");
	}

	@Test
	void aRequeueIsABasicRejectThatTheBrokerCountsAsADelivery() throws Exception {
		RabbitClient client = this.broker.client(this.broker.config("requeue").queueType(QueueType.QUORUM).build());
		client.connect();
		String queue = RabbitTopology.of(client.streamName(), client.config()).queueName();
		this.broker.publish(queue, Map.of());
		BrokerScenarios.Settled requeued = this.broker.settleOneThroughDelivery(queue, true);
		assertThat(requeued.calls()).containsExactly("basicReject");
		assertThat(requeued.next().getProps().getHeaders()).containsEntry("x-delivery-count", 1L);
		this.broker.publish(queue, Map.of());
		BrokerScenarios.Settled dropped = this.broker.settleOneThroughDelivery(queue, false);
		assertThat(dropped.calls()).containsExactly("basicReject");
		assertThat(dropped.next()).isNull();
	}

	@Test
	void aNackedMessageComesBackAsTheNextAttemptOnAQuorumQueue() {
		RabbitClient client = this.broker.client(this.broker.config("attempts").queueType(QueueType.QUORUM).build());
		client.connect();
		this.broker.publish(RabbitTopology.of(client.streamName(), client.config()).queueName(), Map.of());
		RabbitMessage first = client.receive(Duration.ofSeconds(10)).orElseThrow();
		assertThat(first.deliveryAttempt()).isEqualTo(1);
		client.nack(first);
		RabbitMessage second = client.receive(Duration.ofSeconds(10)).orElseThrow();
		assertThat(second.deliveryAttempt()).isEqualTo(2);
		client.ack(second);
	}

	@Test
	void anXDeathHeaderSetByThePublisherIsNotCountedAsAttempts() {
		this.broker.assertXDeathIsNotCounted();
	}

}
