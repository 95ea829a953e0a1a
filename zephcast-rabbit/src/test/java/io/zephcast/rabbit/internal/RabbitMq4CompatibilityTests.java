package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RetryPolicy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
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

	@Test
	void aQuorumQueueWithTheDefaultDeliveryLimitSendsAnAlwaysFailingMessageToTheDeadLetterQueue() throws Exception {
		// no dead-letter exchange, the broker's default delivery limit (20): the client's
		// retries go through its wait queues, then its dead-letter queue, and the
		// broker's
		// limit never drops the message
		RetryPolicy retry = RetryPolicy.builder()
			.maxAttempts(4)
			.initialInterval(Duration.ofMillis(100))
			.multiplier(1.0)
			.jitter(0.0)
			.build();
		RabbitConfig config = broker().config("always-fails").queueType(QueueType.QUORUM).retry(retry).build();
		RabbitClient client = broker().client(config);
		client.connect();
		AtomicInteger handled = new AtomicInteger();
		client.subscribe((message) -> {
			handled.incrementAndGet();
			throw new IllegalStateException("always fails");
		});
		client.send("poison").get(10, TimeUnit.SECONDS);

		GetResponse deadLetter = broker()
			.take(RabbitTopology.of(client.streamName(), client.config()).queueName() + ".dlq");
		assertThat(new String(deadLetter.getBody())).isEqualTo("poison");
		// the broker's header values are LongStrings
		assertThat(String.valueOf(deadLetter.getProps().getHeaders().get(MessageHeaders.DEAD_LETTER_REASON)))
			.isEqualTo(MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
		assertThat(handled).as("handled once per attempt, no more").hasValue(4);
		// closed, whatever it still held would be back in the queue
		client.close();
		assertThat(broker().readyMessages(RabbitTopology.of(client.streamName(), client.config()).queueName()))
			.isZero();
	}

	@Test
	void aBodyOverRabbitMq4sDefaultMaximumIsRefusedAloneAsInvalidNamingItsSize() throws Exception {
		RabbitClient client = broker().client(broker().config("oversized").build());
		client.connect();
		byte[] oversized = new byte[16 * 1024 * 1024 + 1];
		CompletableFuture<Void> refused = client.send(oversized);
		CompletableFuture<Void> beside = client.send("beside");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(InvalidMessageException.class, (ex) -> {
				assertThat(ex.mayHaveBeenStored()).isFalse();
				assertThat(ex.getMessage()).contains(String.valueOf(oversized.length));
			});
		beside.get(10, TimeUnit.SECONDS);
		assertThat(new String(
				broker().take(RabbitTopology.of(client.streamName(), client.config()).queueName()).getBody()))
			.isEqualTo("beside");
	}

}
