package io.zephcast.rabbit.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.impl.LongStringHelper;
import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The version logic without a broker: what the server properties say, and what each
 * version refuses or warns about. The same checks against real brokers:
 * {@link BrokerCompatibilityTests} (3.10) and {@link RabbitMq4CompatibilityTests} (4.0).
 */
class BrokerInfoTests {

	private static final BrokerInfo RABBITMQ_3_10 = new BrokerInfo("RabbitMQ", "3.10.8", Set.of());

	private static final BrokerInfo RABBITMQ_4_0 = new BrokerInfo("RabbitMQ", "4.0.5", Set.of());

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void captureLog() {
		this.log.start();
		((Logger) LoggerFactory.getLogger(RabbitClient.class)).addAppender(this.log);
	}

	@AfterEach
	void releaseLog() {
		((Logger) LoggerFactory.getLogger(RabbitClient.class)).detachAppender(this.log);
	}

	@Test
	void serverPropertiesGiveProductVersionAndTheCapabilitiesAnnouncedAsSupported() {
		BrokerInfo broker = BrokerInfo.of(Map.of("product", LongStringHelper.asLongString("RabbitMQ"), "version",
				LongStringHelper.asLongString("4.0.5"), "capabilities",
				Map.of("publisher_confirms", true, "per_consumer_qos", true, "basic.nack", false)));
		assertThat(broker.product()).isEqualTo("RabbitMQ");
		assertThat(broker.version()).isEqualTo("4.0.5");
		assertThat(broker.capabilities()).containsExactly("per_consumer_qos", "publisher_confirms");
		assertThat(broker.describe()).isEqualTo("RabbitMQ 4.0.5");
		assertThat(BrokerInfo.of((Map<String, Object>) null).describe()).isEqualTo("the broker (version unknown)");
	}

	@Test
	void versionsCompareByMajorAndMinorAndUnknownOnesAreNot4() {
		assertThat(RABBITMQ_4_0.isRabbitMq4()).isTrue();
		assertThat(RABBITMQ_3_10.isRabbitMq4()).isFalse();
		assertThat(new BrokerInfo("RabbitMQ", "3.13.7", Set.of()).isAtLeast(3, 10)).isTrue();
		assertThat(new BrokerInfo("RabbitMQ", "3.9.29", Set.of()).isAtLeast(3, 10)).isFalse();
		assertThat(new BrokerInfo("RabbitMQ", "4.3.0-beta.1", Set.of()).isAtLeast(4, 3)).isTrue();
		assertThat(new BrokerInfo("RabbitMQ", "10.0.0", Set.of()).isRabbitMq4()).isTrue();
		// no version, an unparseable one, or another product: no version-specific
		// refusal
		assertThat(new BrokerInfo("RabbitMQ", "", Set.of()).isRabbitMq4()).isFalse();
		assertThat(new BrokerInfo("RabbitMQ", "99999999999.0", Set.of()).isRabbitMq4()).isFalse();
		assertThat(new BrokerInfo("LavinMQ", "4.1.0", Set.of()).isRabbitMq4()).isFalse();
	}

	@Test
	void aNonDurableNonExclusiveQueueIsRefusedOn4NamingDurableAndWarnedAboutOnceOn3() {
		BrokerCompatibility checks = checks(RabbitConfig.builder().durable(false).build());
		Declarables queues = new Declarables(new Queue("q", false, false, false),
				new Queue("q.dlq", false, false, false));
		assertThatExceptionOfType(BrokerCompatibilityException.class)
			.isThrownBy(() -> checks.checkDeclarations(RABBITMQ_4_0, queues))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("durable"))
			.satisfies((ex) -> assertThat(ex.brokerVersion()).isEqualTo("4.0.5"))
			.withMessageContaining("queue 'q' non-durable and non-exclusive (durable=false)")
			.withMessageContaining("set durable=true")
			.withMessageContaining("RabbitMQ 4.0.5");
		checks.checkDeclarations(RABBITMQ_3_10, queues);
		checks.checkDeclarations(RABBITMQ_3_10, queues);
		assertThat(warnings()).singleElement(InstanceOfAssertFactories.STRING)
			.contains("(durable=false)", "RabbitMQ 3.10.8 still accepts it");
	}

	@Test
	void anExclusiveOrDurableQueueIsAcceptedOn4() {
		BrokerCompatibility checks = checks(RabbitConfig.builder().build());
		assertThatNoException().isThrownBy(() -> checks.checkDeclarations(RABBITMQ_4_0,
				new Declarables(new Queue("durable"), new Queue("exclusive", false, true, true))));
		assertThat(warnings()).isEmpty();
	}

	@Test
	void queueArgumentsRabbitMq4RemovedAreRefusedOn4NamingWhatToUseInstead() {
		BrokerCompatibility checks = checks(RabbitConfig.builder().build());
		assertThatExceptionOfType(BrokerCompatibilityException.class)
			.isThrownBy(() -> checks.checkDeclarations(RABBITMQ_4_0,
					new Declarables(new Queue("q", true, false, false, Map.of("x-queue-mode", "lazy")))))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("queue.arguments"))
			.withMessageContaining("x-queue-mode")
			.withMessageContaining("remove x-queue-mode from queue.arguments");
		assertThatExceptionOfType(BrokerCompatibilityException.class)
			.isThrownBy(() -> checks.checkDeclarations(RABBITMQ_4_0,
					new Declarables(
							new Queue("q", true, false, false, Map.of("x-queue-master-locator", "min-masters")))))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("queue.arguments"))
			.withMessageContaining("use x-queue-leader-locator");
		assertThat(warnings()).isEmpty();
	}

	@Test
	void globalQosIsRefusedOn4NamingPrefetchCount() {
		DirectMessageListenerContainer container = RabbitListenerContainers.create(new CachingConnectionFactory(),
				RabbitTopology.of("s", RabbitConfig.builder().build()), RabbitConfig.builder().build());
		container.setGlobalQos(true);
		BrokerCompatibility checks = new BrokerCompatibility("s", RabbitConfig.builder().build(), container);
		assertThatExceptionOfType(BrokerCompatibilityException.class).isThrownBy(() -> checks.checkClient(RABBITMQ_4_0))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("prefetchCount"))
			.withMessageContaining("global QoS (setGlobalQos(true))")
			.withMessageContaining("leave it off");
		checks.checkClient(RABBITMQ_3_10);
		assertThat(warnings()).singleElement(InstanceOfAssertFactories.STRING).contains("global QoS");
		container.setGlobalQos(false);
		assertThatNoException().isThrownBy(() -> checks.checkClient(RABBITMQ_4_0));
	}

	@Test
	void aQuorumQueueWithoutDeadLetterExchangeIsWarnedAboutOnceOn4AndWithADeliveryLimitOn3() {
		BrokerCompatibility quorum = checks(RabbitConfig.builder().queueType(QueueType.QUORUM).build());
		quorum.checkClient(RABBITMQ_3_10);
		assertThat(warnings()).isEmpty();
		quorum.checkClient(RABBITMQ_4_0);
		quorum.checkClient(RABBITMQ_4_0);
		assertThat(warnings()).singleElement(InstanceOfAssertFactories.STRING)
			.contains("queue.deadLetterExchange", "RabbitMQ 4.0.5 gives quorum queues a delivery limit of 20",
					"queue.deliveryLimit not set", "dropped by the broker");
		this.log.list.clear();
		checks(RabbitConfig.builder()
			.queueType(QueueType.QUORUM)
			.queue(QueueArguments.builder().deliveryLimit(5).build())
			.build()).checkClient(RABBITMQ_3_10);
		assertThat(warnings()).singleElement(InstanceOfAssertFactories.STRING)
			.contains("queue.deadLetterExchange", "queue.deliveryLimit is 5");
		this.log.list.clear();
		checks(RabbitConfig.builder()
			.queueType(QueueType.QUORUM)
			.queue(QueueArguments.builder().deadLetterExchange("dlx").build())
			.build()).checkClient(RABBITMQ_4_0);
		assertThat(warnings()).isEmpty();
	}

	private static BrokerCompatibility checks(RabbitConfig config) {
		return new BrokerCompatibility("s", config, null);
	}

	private List<String> warnings() {
		return this.log.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

}
