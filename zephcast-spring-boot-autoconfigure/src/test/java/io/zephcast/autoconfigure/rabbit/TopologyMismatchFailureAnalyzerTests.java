package io.zephcast.autoconfigure.rabbit;

import java.util.List;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.TopologyMismatchException;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Spring Boot user reads when the broker refuses the topology, or its version a
 * setting: the property of the stream whose client failed.
 */
class TopologyMismatchFailureAnalyzerTests {

	@Test
	void aMismatchNamesThePropertyToMatch() {
		FailureAnalysis analysis = StartupFailures
			.analyze(new IllegalStateException(new TopologyMismatchException("exists", "autoDelete", null)));
		assertThat(analysis.getAction()).startsWith("Set zephcast.rabbit.auto-delete to match");
	}

	@Test
	void aNamedStreamsMismatchNamesItsProperty() {
		FailureAnalysis analysis = StartupFailures.analyze(
				new ApplicationContextException("Failed to start bean 'rabbitClient.payments'",
						new TopologyMismatchException("exists", "durable", null)),
				"zephcast.rabbit.streams.payments.durable=false");
		assertThat(analysis.getAction()).startsWith("Set zephcast.rabbit.streams.payments.durable to match");
	}

	@Test
	void aSettingTheBrokersVersionDoesNotSupportNamesThePropertyToChangeAndTheVersion() {
		FailureAnalysis analysis = StartupFailures.analyze(new IllegalStateException(
				new BrokerCompatibilityException("durable=false: set durable=true", "durable", "4.0.5")));
		assertThat(analysis.getDescription()).isEqualTo("durable=false: set durable=true");
		assertThat(analysis.getAction())
			.isEqualTo("Change zephcast.rabbit.durable as the description says: RabbitMQ 4.0.5 removed or "
					+ "deprecates what it is set to.");
	}

	@Test
	void amqp10OnABrokerBefore40SaysToUseRabbitMQ4OrAmqp091() {
		FailureAnalysis analysis = StartupFailures.analyze(
				new ApplicationContextException("Failed to start bean 'rabbitClient.payments'",
						new BrokerCompatibilityException("protocol amqp-1-0 needs RabbitMQ 4.0 or later", "protocol",
								"3.10.0")),
				"zephcast.rabbit.url=amqp://old:5672/", "zephcast.rabbit.streams.payments.protocol=amqp-1-0");
		assertThat(analysis.getDescription()).isEqualTo("protocol amqp-1-0 needs RabbitMQ 4.0 or later");
		assertThat(analysis.getAction()).isEqualTo("Use a RabbitMQ 4.0+ broker (zephcast.rabbit.url reaches RabbitMQ "
				+ "3.10.0), or set zephcast.rabbit.streams.payments.protocol to amqp-0-9-1.");
	}

	@Test
	void aNamedStreamsConsumerSettingNamesItsConsumerGroup() {
		FailureAnalysis analysis = StartupFailures.analyze(
				new ApplicationContextException("Failed to start bean 'rabbitClient.payments'",
						new BrokerCompatibilityException("global qos", "concurrency", "4.0.5")),
				"zephcast.rabbit.streams.payments.consumer.concurrency=2");
		assertThat(analysis.getAction()).startsWith("Change zephcast.rabbit.streams.payments.consumer.concurrency ");
	}

	@Test
	void aMissingWaitQueueUnderVerifyNamesTheRetryPropertyAndSaysToDeclareIt() {
		String queue = "zc-fa-verify-retry";
		String[] properties = { "zephcast.rabbit.url=" + RabbitBroker.url(), "zephcast.rabbit.queue-name=" + queue };
		ApplicationContextRunner runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
			.withPropertyValues(properties);
		try {
			// a send-only client declares its queue, not the wait queues
			runner.withPropertyValues("zephcast.rabbit.declare=true")
				.run((context) -> assertThat(context).hasNotFailed());
			runner.withPropertyValues("zephcast.rabbit.declare=verify")
				.withBean(RabbitMessageHandler.class, () -> (message) -> {
				})
				.run((context) -> {
					assertThat(context).hasFailed();
					FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(), properties);
					assertThat(analysis.getDescription()).contains("'" + queue + ".retry.1000' does not exist");
					// as docs/troubleshooting.md quotes it
					assertThat(analysis.getAction()).isEqualTo("Declare it on the broker as the client would, or set "
							+ "zephcast.rabbit.declare to true so that the client declares it "
							+ "(zephcast.rabbit.consumer.retry is the setting that asks for it).");
				});
		}
		finally {
			RabbitBroker.delete(RabbitBroker.withClientQueues(queue), List.of());
		}
	}

}
