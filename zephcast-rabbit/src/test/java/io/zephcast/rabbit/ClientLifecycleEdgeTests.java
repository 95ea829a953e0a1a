package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The edges of the client's lifecycle, against the real broker: a failed connect leaves
 * nothing behind, a client that does not fail fast retries what failed until it all works
 * (also after a stop and start), a stop never undoes a close, and close keeps its
 * deadline on a network that swallows packets, while a connect waits on it, and when
 * called from the client's own callback pool.
 */
class ClientLifecycleEdgeTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url());
	}

	@Test
	void aFailedConnectLeavesNoConnectionThreadOrTimerAndCanBeTriedAgain() throws Exception {
		String stream = this.names.stream("failed-connect");
		String queue = this.names.queue("failed-connect");
		declareMismatchedQueue(queue);
		RabbitConfig config = config().queueName(queue).build();
		int amqpThreadsBefore = threadsNamed("AMQP Connection").size();
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(() -> {
				try (RabbitClient client = new RabbitClient(stream, config).connect()) {
					client.send("never");
				}
			}).withMessageContaining("x-max-length");
		}
		await().atMost(Duration.ofSeconds(15))
			.alias("no connection left open on the broker")
			.until(() -> RabbitBroker.management().countConnections(stream) == 0);
		await().atMost(Duration.ofSeconds(10))
			.alias("no thread of the clients left: timer, callbacks, dispatch")
			.until(() -> threadsNamed("zephcast-" + stream + "-").isEmpty());
		await().atMost(Duration.ofSeconds(10))
			.alias("no amqp-client connection thread left")
			.until(() -> threadsNamed("AMQP Connection").size() <= amqpThreadsBefore);

		RabbitClient client = new RabbitClient(stream, config);
		try {
			assertThatExceptionOfType(TopologyMismatchException.class).isThrownBy(client::connect);
			assertThat(client.status().state()).isEqualTo("NEW");
			deleteRawQueue(queue);
			client.connect();
			assertThat(client.isConnected()).as("a failed connect can be tried again").isTrue();
			client.send("now it works").get(10, TimeUnit.SECONDS);
			assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
		}
		finally {
			client.close();
		}
	}

	@Test
	void withoutFailFastConsumersThatCannotStartAreRetriedUntilTheyDo() throws Exception {
		// no queue name: the stream's queue is declared when consuming starts; it
		// exists with other settings
		String stream = this.names.stream("late-consumers");
		declareMismatchedQueue(stream);
		CountDownLatch handled = new CountDownLatch(1);
		try (TcpProxy broker = TcpProxy.forBroker();
				RabbitClient client = new RabbitClient(stream, config().url(broker.url()).failFast(false).build())
					.connect()) {
			client.subscribe((message) -> handled.countDown());
			broker.accept();
			await().atMost(Duration.ofSeconds(15)).until(() -> RabbitBroker.management().countConnections(stream) > 0);
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.alias("connected, but its consumers cannot start: not ready")
				.until(() -> !client.isConnected());

			deleteRawQueue(stream);
			await().atMost(Duration.ofSeconds(30))
				.alias("the consumers started on a later try")
				.ignoreExceptions()
				.until(() -> RabbitBroker.consumers(stream) == 1);
			assertThat(client.isConnected()).isTrue();
			client.send("consumed").get(10, TimeUnit.SECONDS);
			assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void aStopAndStartBeforeTheBrokerFirstAnswersStillConnects() throws Exception {
		String queue = this.names.queue("stop-start-late");
		try (TcpProxy broker = TcpProxy.forBroker();
				RabbitClient client = new RabbitClient("stop-start-late",
						config().url(broker.url()).queueName(queue).failFast(false).build())
					.connect()) {
			assertThat(client.isConnected()).isFalse();
			client.stop();
			broker.accept();
			// the first reconnect is due a second after connect(): it comes while stopped
			await().during(Duration.ofMillis(1500))
				.atMost(Duration.ofSeconds(5))
				.alias("a stopped client does not connect")
				.until(() -> !client.isConnected());
			client.start();
			await().atMost(Duration.ofSeconds(10)).alias("started again, it connects").until(client::isConnected);
			client.send("after start").get(10, TimeUnit.SECONDS);
			assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
		}
	}

	@Test
	void aStopThatEndsAfterACloseLeavesTheClientClosed() throws Exception {
		String stream = this.names.stream("stop-close");
		RabbitConfig config = config().build();
		CachingConnectionFactory connectionFactory = RabbitConnectionFactories.create(stream, config);
		CountDownLatch stopping = new CountDownLatch(1);
		CountDownLatch finishStop = new CountDownLatch(1);
		StallingContainer container = new StallingContainer(connectionFactory, stopping, finishStop);
		RabbitClient client = RabbitClient.builder(stream, config)
			.connectionFactory(connectionFactory)
			.listenerContainer(container)
			.build()
			.connect();
		Thread stopper = new Thread(client::stop, "stopper");
		try {
			stopper.start();
			assertThat(stopping.await(10, TimeUnit.SECONDS)).as("the stop is under way").isTrue();
			client.close();
			assertThat(client.status().state()).isEqualTo("CLOSED");
			finishStop.countDown();
			stopper.join(10_000);
			assertThat(stopper.isAlive()).isFalse();
			assertThat(client.status().state()).as("the stop ended after the close").isEqualTo("CLOSED");
			assertThatIllegalStateException().isThrownBy(client::start).withMessageContaining("closed");
			assertThatIllegalStateException().isThrownBy(() -> client.send("late")).withMessageContaining("closed");
		}
		finally {
			finishStop.countDown();
			client.close();
			container.destroy();
			connectionFactory.destroy();
		}
	}

	@Test
	void closeKeepsItsDeadlineOnANetworkThatSwallowsPacketsAndCompletesEveryFuture() throws Exception {
		String stream = this.names.stream("swallowed");
		Duration shutdownTimeout = Duration.ofSeconds(2);
		try (TcpProxy broker = TcpProxy.forBroker().accept()) {
			RabbitClient client = new RabbitClient(stream,
					config().url(broker.url())
						.shutdownTimeout(shutdownTimeout)
						.confirmTimeout(Duration.ofSeconds(60))
						.build())
				.connect();
			assertThat(client.receive(Duration.ofMillis(10))).as("consuming").isEmpty();
			// the publishing channel is open: the sends below are written, not waiting
			// for a channel
			client.send("warm-up").get(10, TimeUnit.SECONDS);
			client.ack(client.receive(Duration.ofSeconds(10)).orElseThrow());
			CompletableFuture<RabbitMessage> pull = client.receive();
			broker.swallow();
			List<CompletableFuture<Void>> sends = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				sends.add(client.send("swallowed " + i));
			}
			long started = System.nanoTime();
			client.close();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			int connectionsAtClose = broker.accepted();

			assertThat(took).isLessThan(shutdownTimeout.plusSeconds(3));
			assertThat(pull).isCompletedExceptionally();
			assertThat(sends).allSatisfy((send) -> assertThat(send).isDone());
			assertThat(sends).allSatisfy((send) -> assertThat(send).failsWithin(Duration.ZERO)
				.withThrowableThat()
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class,
						(failure) -> assertThat(failure.mayHaveBeenStored()).isTrue()));
			assertThat(client.status().state()).isEqualTo("CLOSED");
			await().atMost(Duration.ofSeconds(15))
				.alias("the aborted connections are gone from the broker")
				.until(() -> RabbitBroker.management().countConnections(stream) == 0);
			await().atMost(Duration.ofSeconds(10))
				.alias("no thread of the client left")
				.until(() -> threadsNamed("zephcast-" + stream + "-").isEmpty());
			assertThat(broker.accepted()).as("nothing connected again after close").isEqualTo(connectionsAtClose);
		}
	}

	@Test
	void closeKeepsItsDeadlineWhileAConnectWaitsOnABrokerThatNeverAnswers() throws Exception {
		String stream = this.names.stream("connecting");
		// shorter than the 5 s amqp-client waits for the broker's first word
		Duration shutdownTimeout = Duration.ofSeconds(1);
		try (TcpProxy broker = TcpProxy.forBroker().accept()) {
			broker.swallow();
			RabbitClient client = new RabbitClient(stream,
					config().url(broker.url()).shutdownTimeout(shutdownTimeout).build());
			CompletableFuture<RabbitClient> connecting = CompletableFuture.supplyAsync(client::connect);
			await().atMost(Duration.ofSeconds(10))
				.alias("the connect is under way")
				.until(() -> broker.accepted() == 1);
			long started = System.nanoTime();
			client.close();
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(took).isLessThan(shutdownTimeout.plusSeconds(3));
			assertThat(connecting).failsWithin(Duration.ofSeconds(5))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(RabbitConnectionException.class);
			assertThat(client.status().state()).isEqualTo("CLOSED");
			assertThat(broker.accepted()).as("nothing connected again after close").isEqualTo(1);
			await().atMost(Duration.ofSeconds(10))
				.alias("no thread of the client left")
				.until(() -> threadsNamed("zephcast-" + stream + "-").isEmpty());
		}
	}

	@Test
	void aCloseFromACallbackDoesNotWaitForItsOwnThread() throws Exception {
		String queue = this.names.queue("close-in-callback");
		RabbitClient client = new RabbitClient("close-in-callback",
				config().queueName(queue).shutdownTimeout(Duration.ofSeconds(5)).build())
			.connect();
		// a pull completes on the client's callback pool
		CompletableFuture<Duration> closing = client.receive().thenApply((message) -> {
			client.ack(message);
			long started = System.nanoTime();
			client.close();
			return Duration.ofNanos(System.nanoTime() - started);
		});
		client.send("then close").get(10, TimeUnit.SECONDS);
		assertThat(closing.get(20, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(3));
		assertThat(client.status().state()).isEqualTo("CLOSED");
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	static List<Thread> threadsNamed(String prefix) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith(prefix))
			.toList();
	}

	/**
	 * Declares the queue with a length limit the client does not declare, so that the
	 * client's declaration is refused (a durable queue: RabbitMQ 4 deprecates transient
	 * shared ones).
	 */
	private static void declareMismatchedQueue(String queue) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false, Map.of("x-max-length", 1000));
		}
	}

	private static void deleteRawQueue(String queue) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDelete(queue);
		}
	}

	/**
	 * A container whose first stop waits until the test lets it finish: a stop that ends
	 * after a close that came meanwhile.
	 */
	private static final class StallingContainer extends DirectMessageListenerContainer {

		private final CountDownLatch stopping;

		private final CountDownLatch finishStop;

		private final AtomicBoolean stalled = new AtomicBoolean();

		StallingContainer(ConnectionFactory connectionFactory, CountDownLatch stopping, CountDownLatch finishStop) {
			super(connectionFactory);
			this.stopping = stopping;
			this.finishStop = finishStop;
			setAcknowledgeMode(AcknowledgeMode.MANUAL);
			setAutoStartup(false);
			afterPropertiesSet();
		}

		@Override
		public void stop() {
			if (this.stalled.compareAndSet(false, true)) {
				this.stopping.countDown();
				try {
					this.finishStop.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			super.stop();
		}

	}

}
