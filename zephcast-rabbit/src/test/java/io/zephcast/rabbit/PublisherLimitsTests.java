package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.zephcast.rabbit.SendFailedException.Reason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The bounds on sending ({@link PublisherOptions}) against a real broker: the sends in
 * flight, the wait for room, the largest body. One test lowers the broker's
 * {@code max_message_size} for a moment (and restores it): run this class under the
 * exclusive broker lock.
 */
class PublisherLimitsTests {

	private static final int ONE_MIB = 1024 * 1024;

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private TcpProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = TcpProxy.forBroker();
	}

	@AfterEach
	void tearDown() throws Exception {
		this.proxy.close();
	}

	@Test
	void aSendBeyondMaxInFlightWaitsMaxBlockForRoomThenFailsAsNotSent() throws Exception {
		this.proxy.accept();
		String queue = this.names.queue("bounded");
		RabbitConfig config = RabbitConfig.builder()
			.url(this.proxy.url())
			.queueName(queue)
			.publisher(PublisherOptions.DEFAULTS.withMaxInFlight(5).withMaxBlock(Duration.ofMillis(300)))
			.build();
		try (RabbitClient client = new RabbitClient("bounded", config).connect()) {
			client.send("warm-up").get(10, TimeUnit.SECONDS);
			// no confirm comes back while frozen: the five sends keep their room
			this.proxy.freeze();
			List<CompletableFuture<Void>> held = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				held.add(client.send("held " + i));
			}
			long start = System.nanoTime();
			CompletableFuture<Void> sixth = client.send("sixth");
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			assertThat(waited).as("waited for room, then gave up")
				.isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> sixth.get(1, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class, (ex) -> {
					assertThat(ex.reason()).isEqualTo(Reason.NOT_SENT);
					assertThat(ex.mayHaveBeenStored()).isFalse();
					assertThat(ex.getMessage()).contains("publisher.maxInFlight").contains("publisher.maxBlock");
				});
			this.proxy.thaw();
			for (CompletableFuture<Void> send : held) {
				send.get(10, TimeUnit.SECONDS);
			}
			// confirmed sends gave their room back
			client.send("after").get(10, TimeUnit.SECONDS);
			assertThat(client.status().sendsInFlight()).isLessThanOrEqualTo(1);
		}
		assertThat(RabbitBroker.readyMessages(queue)).as("warm-up, five held, after; not the sixth").isEqualTo(7);
	}

	@Test
	void aBodyOverTheBrokersLimitFailsAloneAsInvalidAndTheOthersAreConfirmed() throws Exception {
		String queue = this.names.queue("large");
		String original = BrokerControl.rabbitmqctl("eval", "application:get_env(rabbit, max_message_size).").trim();
		BrokerControl.rabbitmqctl("eval", "application:set_env(rabbit, max_message_size, " + ONE_MIB + ").");
		try {
			RabbitConfig config = RabbitConfig.builder()
				.url(RabbitBroker.url())
				.queueName(queue)
				.publisher(PublisherOptions.DEFAULTS.withMaxMessageSize(ONE_MIB))
				.build();
			List<CompletableFuture<Void>> small = new ArrayList<>();
			CompletableFuture<Void> large;
			try (RabbitClient client = new RabbitClient("large", config).connect()) {
				for (int i = 0; i < 100; i++) {
					small.add(client.send("small " + i));
				}
				large = client.send(new byte[2 * ONE_MIB]);
				CompletableFuture<Void> atTheLimit = client.send(new byte[ONE_MIB]);
				for (int i = 100; i < 200; i++) {
					small.add(client.send("small " + i));
				}
				for (CompletableFuture<Void> send : small) {
					send.get(10, TimeUnit.SECONDS);
				}
				atTheLimit.get(10, TimeUnit.SECONDS);
			}
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> large.get(1, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOfSatisfying(InvalidMessageException.class, (ex) -> {
					assertThat(ex.reason()).isEqualTo(Reason.INVALID);
					assertThat(ex.mayHaveBeenStored()).isFalse();
					assertThat(ex.field()).isEqualTo("payload");
					assertThat(ex.getMessage()).contains(Integer.toString(2 * ONE_MIB))
						.contains(Integer.toString(ONE_MIB));
				});
			assertThat(RabbitBroker.readyMessages(queue)).as("200 small and the one at the limit").isEqualTo(201);
		}
		finally {
			String value = original.replaceAll("[^0-9]", "");
			BrokerControl.rabbitmqctl("eval",
					"application:set_env(rabbit, max_message_size, " + (value.isEmpty() ? "134217728" : value) + ").");
		}
	}

	@Test
	void theBoundsAreValidated() {
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> PublisherOptions.DEFAULTS.withMaxInFlight(0))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("publisher.maxInFlight"));
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> PublisherOptions.DEFAULTS.withMaxBlock(Duration.ofMillis(-1)))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("publisher.maxBlock"));
		assertThatExceptionOfType(InvalidRabbitConfigException.class)
			.isThrownBy(() -> PublisherOptions.DEFAULTS.withMaxMessageSize(513L * ONE_MIB))
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("publisher.maxMessageSize"));
		assertThat(RabbitConfig.builder().build().publisher()).isEqualTo(PublisherOptions.DEFAULTS);
	}

}
