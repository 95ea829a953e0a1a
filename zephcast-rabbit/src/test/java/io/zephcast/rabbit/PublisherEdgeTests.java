package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.Connection;
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
import static org.awaitility.Awaitility.await;

/**
 * The edges of sending against a real broker: a broker that swallows packets, a publisher
 * connection that is already closed, a channel that shuts down while a send is being
 * written.
 */
class PublisherEdgeTests {

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
	void sendsDoNotWaitForABrokerThatSwallowsPacketsAndCloseKeepsItsBound() throws Exception {
		this.proxy.accept();
		String queue = this.names.queue("swallow");
		RabbitConfig config = RabbitConfig.builder()
			.url(this.proxy.url())
			.queueName(queue)
			.connectionTimeout(Duration.ofSeconds(2))
			.channelRpcTimeout(Duration.ofSeconds(2))
			.shutdownTimeout(Duration.ofSeconds(1))
			.build();
		RabbitClient client = new RabbitClient("swallow", config).connect();
		long closeNanos;
		List<CompletableFuture<Void>> sends = new ArrayList<>();
		try {
			// the publisher's connection opens with the first send, and reaches a broker
			// that takes the TCP connection but never answers the AMQP handshake
			this.proxy.swallow();
			long start = System.nanoTime();
			for (int i = 0; i < 3; i++) {
				sends.add(client.send("into the void " + i));
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("three sends returned their futures at once")
				.isLessThan(Duration.ofMillis(1000));
			assertThat(sends).allSatisfy((send) -> assertThat(send).isNotDone());
			for (CompletableFuture<Void> send : sends) {
				assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> send.get(30, TimeUnit.SECONDS))
					.havingCause()
					.isInstanceOfSatisfying(SendFailedException.class, (ex) -> {
						assertThat(ex.reason()).isEqualTo(Reason.NOT_SENT);
						assertThat(ex.mayHaveBeenStored()).isFalse();
						assertThat(ex.getMessage()).contains("no channel to publish on");
					});
			}
			// more sends, and close while their channel is still being opened
			for (int i = 0; i < 3; i++) {
				sends.add(client.send("closing " + i));
			}
		}
		finally {
			long closeStart = System.nanoTime();
			client.close();
			closeNanos = System.nanoTime() - closeStart;
		}
		// close waits the shutdown timeout for what is in flight, and at most one
		// connection attempt already under way (the handshake timeout, 10 s) for the
		// connection factory; never once per waiting sender
		assertThat(Duration.ofNanos(closeNanos)).isLessThan(Duration.ofSeconds(14));
		for (CompletableFuture<Void> send : sends) {
			assertThat(send).isCompletedExceptionally();
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aPublisherConnectionThatIsAlreadyClosedFailsTheSendInsteadOfThrowing() throws Exception {
		String queue = this.names.queue("closed");
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		Connection closed = RabbitBroker.rawConnection();
		closed.close();
		PublisherConnections factory = PublisherConnections.of("closed", config, () -> closed);
		try (RabbitClient client = RabbitClient.builder("closed", config)
			.connectionFactory(factory)
			.build()
			.connect()) {
			CompletableFuture<Void> send = client.send("nowhere");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> send.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOfSatisfying(SendFailedException.class, (ex) -> {
					assertThat(ex.reason()).isEqualTo(Reason.NOT_SENT);
					assertThat(ex.mayHaveBeenStored()).isFalse();
				});
			await().during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(5))
				.until(() -> client.status().sendsInFlight() == 0);
		}
		finally {
			factory.destroy();
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aChannelThatShutsDownBetweenTakingASendAndWritingItCountsTheSendOnce() throws Exception {
		String queue = this.names.queue("race");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.shutdownTimeout(Duration.ofSeconds(2))
			.build();
		Connection raw = RabbitBroker.rawConnection();
		// the channel's shutdown runs its listeners on the closing thread: the lane's
		// shutdown settles the send it has just taken, before the write fails
		Connection racing = PublisherConnections.firstPublishInterrupted(raw, (channel) -> channel.close());
		PublisherConnections factory = PublisherConnections.of("race", config, () -> racing);
		try (RabbitClient client = RabbitClient.builder("race", config).connectionFactory(factory).build().connect()) {
			CompletableFuture<Void> first = client.send("first");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> first.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(SendFailedException.class);
			// counted down after its future completes: it must reach zero and stay there
			await().during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(5))
				.until(() -> client.status().sendsInFlight() == 0);
			// a later send on a new channel is counted, so a graceful close waits for it
			client.send("second").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(5)).until(() -> client.status().sendsInFlight() == 0);
		}
		finally {
			factory.destroy();
			raw.close();
		}
		assertThat(RabbitBroker.readyMessages(queue)).isEqualTo(1);
	}

	@Test
	void aCallbackExecutorThatThrowsDoesNotEndConfirmTimeouts() throws Exception {
		this.proxy.accept();
		String queue = this.names.queue("sweep");
		RabbitConfig config = RabbitConfig.builder()
			.url(this.proxy.url())
			.queueName(queue)
			.confirmTimeout(Duration.ofSeconds(1))
			.build();
		ExecutorService pool = Executors.newFixedThreadPool(2);
		AtomicBoolean armed = new AtomicBoolean();
		// the application's executor refuses one task with an exception other than
		// RejectedExecutionException: the one the confirm-timeout sweep hands it first
		Executor throwsOnce = (task) -> {
			if (armed.compareAndSet(true, false)) {
				throw new IllegalStateException("the application's executor refused a task");
			}
			pool.execute(task);
		};
		try (RabbitClient client = RabbitClient.builder("sweep", config)
			.callbackExecutor(throwsOnce)
			.build()
			.connect()) {
			client.send("warm-up").get(10, TimeUnit.SECONDS);
			this.proxy.freeze();
			armed.set(true);
			CompletableFuture<Void> first = client.send("first");
			assertTimedOut(first);
			assertThat(armed).as("the executor did refuse the sweep's task").isFalse();
			CompletableFuture<Void> second = client.send("second");
			assertTimedOut(second);
			this.proxy.cut();
		}
		finally {
			pool.shutdown();
		}
	}

	private static void assertTimedOut(CompletableFuture<Void> send) {
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> send.get(10, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(SendFailedException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
	}

}
