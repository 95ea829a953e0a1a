package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Close keeps its deadline while the broker's memory alarm blocks the client's
 * connection: the broker reads nothing more from it, so no close-ok ever comes. Raises
 * the alarm for the whole broker: run it alone ({@code flock -x}), never beside other
 * broker tests.
 */
class CloseUnderMemoryAlarmTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void closeKeepsItsDeadlineWhileTheBrokerBlocksTheConnection() throws Exception {
		String stream = this.names.stream("alarm");
		Duration shutdownTimeout = Duration.ofSeconds(2);
		RabbitClient client = new RabbitClient(stream,
				RabbitConfig.builder()
					.url(RabbitBroker.url())
					.shutdownTimeout(shutdownTimeout)
					.confirmTimeout(Duration.ofSeconds(60))
					.build())
			.connect();
		try {
			assertThat(client.receive(Duration.ofMillis(10))).as("consuming").isEmpty();
			client.send("warm-up").get(10, TimeUnit.SECONDS);
			client.ack(client.receive(Duration.ofSeconds(10)).orElseThrow());
			CompletableFuture<RabbitMessage> pull = client.receive();
			List<CompletableFuture<Void>> sends = new ArrayList<>();
			Duration took;
			BrokerControl.raiseMemoryAlarm();
			try {
				// the broker blocks the connection when it next publishes, and says so
				await().atMost(Duration.ofSeconds(20)).until(() -> {
					CompletableFuture<Void> probe = client.send("probe");
					sends.add(probe);
					return client.status().publishingBlockedReason() != null;
				});
				long started = System.nanoTime();
				client.close();
				took = Duration.ofNanos(System.nanoTime() - started);
			}
			finally {
				BrokerControl.clearMemoryAlarm();
			}
			assertThat(took).isLessThan(shutdownTimeout.plusSeconds(3));
			assertThat(pull).isCompletedExceptionally();
			assertThat(sends).as("every send is settled").allSatisfy((send) -> assertThat(send).isDone());
			assertThat(sends).as("the first was written before the block was known, and is unconfirmed")
				.first()
				.satisfies((send) -> assertThat(send).failsWithin(Duration.ZERO)
					.withThrowableThat()
					.havingCause()
					.isInstanceOfSatisfying(SendFailedException.class,
							(failure) -> assertThat(failure.mayHaveBeenStored()).isTrue()));
			await().atMost(Duration.ofSeconds(15))
				.alias("the aborted connections are gone from the broker")
				.until(() -> RabbitBroker.management().countConnections(stream) == 0);
		}
		finally {
			client.close();
		}
	}

}
