package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.concurrent.ForkJoinPool;

import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.rabbit.TopologyMismatchException;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The wait queues and dead-letter queue an AMQP 1.0 client declares through AMQP 1.0
 * management, as {@link RetryQueues} describes them, checked through the broker's HTTP
 * management API; and, with {@code declare=false}, the check that they exist.
 */
class Amqp10TopologyRetryQueuesTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private final RetryPolicy retry = RetryPolicy.builder()
		.maxAttempts(3)
		.initialInterval(Duration.ofSeconds(1))
		.multiplier(2.0)
		.jitter(0.0)
		.build();

	@Test
	void declareOnCreatesTheWaitQueuesAndTheDeadLetterQueueLikeAmqp091() {
		String queue = this.names.queue("work");
		RabbitConfig config = config(queue, DeclareMode.ON);
		RabbitTopology topology = RabbitTopology.of("retry", config);
		Amqp10Connection connection = new Amqp10Connection(this.names.stream("retry"), config,
				ForkJoinPool.commonPool());
		try {
			Connection open = connection.open();
			Amqp10Topology declarations = new Amqp10Topology(config);
			declarations.apply(open, topology.consumerDeclarables());
			declarations.applyRetryQueues(open, topology.retryQueues().declarables());
			for (Duration interval : config.retry().intervals()) {
				JsonNode wait = this.broker.queue(topology.retryQueues().waitQueueName(interval)).orElseThrow();
				assertThat(wait.get("type").asString()).isEqualTo("quorum");
				JsonNode arguments = wait.path("arguments");
				assertThat(arguments.path("x-message-ttl").asLong()).isEqualTo(interval.toMillis());
				assertThat(arguments.path("x-dead-letter-exchange").asString()).isEmpty();
				assertThat(arguments.path("x-dead-letter-routing-key").asString()).isEqualTo(queue);
				assertThat(arguments.path("x-dead-letter-strategy").asString()).isEqualTo("at-least-once");
				assertThat(arguments.path("x-overflow").asString()).isEqualTo("reject-publish");
			}
			assertThat(config.retry().intervals()).hasSize(2);
			JsonNode deadLetters = this.broker.queue(queue + RetryQueues.DEAD_LETTER_SUFFIX).orElseThrow();
			assertThat(deadLetters.get("type").asString()).isEqualTo("quorum");
			// declared again (a second client, a reconnect): the same, so accepted
			declarations.applyRetryQueues(open, topology.retryQueues().declarables());
			// verify finds them equivalent
			new Amqp10Topology(config(queue, DeclareMode.VERIFY)).applyRetryQueues(open,
					topology.retryQueues().declarables());
		}
		finally {
			connection.close();
		}
	}

	@Test
	void withDeclareOffMissingRetryQueuesFailNamingRetry() {
		String queue = this.names.queue("undeclared");
		RabbitConfig config = config(queue, DeclareMode.OFF);
		RabbitTopology topology = RabbitTopology.of("retry-off", config);
		Amqp10Connection connection = new Amqp10Connection(this.names.stream("retry-off"), config,
				ForkJoinPool.commonPool());
		try {
			Connection open = connection.open();
			assertThatExceptionOfType(TopologyMismatchException.class)
				.isThrownBy(
						() -> new Amqp10Topology(config).applyRetryQueues(open, topology.retryQueues().declarables()))
				.withMessageContaining(".retry.")
				.withMessageContaining("does not exist")
				.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("retry"));
		}
		finally {
			connection.close();
		}
	}

	private RabbitConfig config(String queue, DeclareMode declare) {
		return RabbitConfig.builder()
			.url(RabbitBroker.url())
			.protocol(Protocol.AMQP_1_0)
			.queueName(queue)
			.queueType(QueueType.QUORUM)
			.retry(this.retry)
			.declare(declare)
			.build();
	}

}
