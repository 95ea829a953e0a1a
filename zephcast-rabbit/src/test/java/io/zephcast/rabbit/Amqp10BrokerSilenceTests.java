package io.zephcast.rabbit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An AMQP 1.0 client whose broker falls silent (a proxy that swallows everything): a send
 * fails once the confirm timeout passes, and close returns within the shutdown timeout.
 */
class Amqp10BrokerSilenceTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void sendFailsAtTheConfirmTimeoutAndCloseKeepsItsDeadline() throws Exception {
		try (TcpProxy proxy = TcpProxy.forBroker().accept()) {
			RabbitConfig config = RabbitConfig.builder()
				.url(proxy.url())
				.protocol(Protocol.AMQP_1_0)
				.queueName(this.names.queue("silent"))
				.confirmTimeout(Duration.ofSeconds(1))
				.shutdownTimeout(Duration.ofSeconds(2))
				.build();
			RabbitClient client = new RabbitClient(this.names.stream("silent"), config).connect();
			proxy.swallow();
			CompletableFuture<Void> send = client.send("unanswered", SendOptions.messageId("m-silent"));
			assertThat(send).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class,
						(failure) -> assertThat(failure.reason()).isEqualTo(SendFailedException.Reason.TIMEOUT))
				.withMessageContaining("m-silent")
				.withMessageContaining("confirmTimeout");
			long start = System.nanoTime();
			client.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
			assertThat(client.isRunning()).isFalse();
		}
	}

	@Test
	void closeKeepsItsDeadlineWhileAConnectWaitsOnABrokerThatNeverAnswers() throws Exception {
		// shorter than the 15 s the AMQP 1.0 client waits for the broker's open
		Duration shutdownTimeout = Duration.ofSeconds(1);
		try (TcpProxy proxy = TcpProxy.forBroker().accept()) {
			proxy.swallow();
			RabbitConfig config = RabbitConfig.builder()
				.url(proxy.url())
				.protocol(Protocol.AMQP_1_0)
				.queueName(this.names.queue("connecting"))
				.shutdownTimeout(shutdownTimeout)
				.build();
			RabbitClient client = new RabbitClient(this.names.stream("connecting"), config);
			CompletableFuture<RabbitClient> connecting = CompletableFuture.supplyAsync(client::connect);
			await().atMost(Duration.ofSeconds(10)).alias("the connect is under way").until(() -> proxy.accepted() == 1);

			CompletableFuture<Void> closing = CompletableFuture.runAsync(client::close);
			assertThat(closing).as("close within its deadline").succeedsWithin(shutdownTimeout.plusSeconds(3));
			assertThat(client.status().state()).isEqualTo("CLOSED");
			assertThat(connecting).failsWithin(Duration.ofSeconds(30));
			assertThat(client.status().state()).isEqualTo("CLOSED");
			assertThat(proxy.accepted()).as("nothing connected again after close").isEqualTo(1);
		}
	}

	@Test
	void sendsBeyondMaxInFlightFailAsNotSentAfterMaxBlock() throws Exception {
		try (TcpProxy proxy = TcpProxy.forBroker().accept()) {
			RabbitConfig config = RabbitConfig.builder()
				.url(proxy.url())
				.protocol(Protocol.AMQP_1_0)
				.queueName(this.names.queue("bounded"))
				.confirmTimeout(Duration.ofSeconds(30))
				.shutdownTimeout(Duration.ofSeconds(1))
				.publisher(PublisherOptions.DEFAULTS.withMaxInFlight(2).withMaxBlock(Duration.ofMillis(200)))
				.build();
			try (RabbitClient client = new RabbitClient(this.names.stream("bounded"), config).connect()) {
				proxy.swallow();
				CompletableFuture<Void> first = client.send("one");
				CompletableFuture<Void> second = client.send("two");
				assertThat(client.status().sendsInFlight()).isEqualTo(2);
				assertThat(client.send("three", SendOptions.messageId("m-three"))).failsWithin(Duration.ofSeconds(5))
					.withThrowableThat()
					.havingCause()
					.isInstanceOfSatisfying(SendFailedException.class,
							(failure) -> assertThat(failure.reason()).isEqualTo(SendFailedException.Reason.NOT_SENT))
					.withMessageContaining("publisher.maxInFlight");
				assertThat(first).isNotDone();
				assertThat(second).isNotDone();
			}
		}
	}

}
