package io.zephcast.rabbit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.rabbitmq.client.Connection;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which thread runs a connection's consumer callbacks ({@link ConsumerDispatch}): a
 * thread waiting in a pull, or the pool. The callbacks here stand in for amqp-client's;
 * what the client does with real deliveries is proven against the broker by the pull
 * tests of {@code RabbitClientTests} and {@code ConsumerGroupTests}, which run on it.
 */
class ConsumerDispatchTests {

	private static final String POOL_THREAD = "zephcast-dispatch-tests-";

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final ConsumerDispatch dispatch = new ConsumerDispatch("dispatch-tests", 2);

	private final DeliveryQueue deliveries = new DeliveryQueue(Runnable::run, this.dispatch);

	/** A real channel, for the messages' channel-open check. */
	private final Connection connection = RabbitBroker.rawConnection();

	@AfterEach
	void shutDown() throws Exception {
		this.deliveries.close();
		this.dispatch.shutdownNow();
		this.connection.close();
	}

	@Test
	void aCallbackDispatchedWhileAThreadWaitsInAPullRunsOnThatThread() throws Exception {
		CompletableFuture<Optional<RabbitMessage>> pulled = new CompletableFuture<>();
		Thread puller = new Thread(() -> {
			try {
				pulled.complete(this.deliveries.poll(Duration.ofSeconds(30)));
			}
			catch (Throwable ex) {
				pulled.completeExceptionally(ex);
			}
		}, "puller");
		puller.start();
		await().atMost(Duration.ofSeconds(10)).until(this.dispatch::hasWaitingThread);

		AtomicReference<Thread> ranOn = new AtomicReference<>();
		RabbitMessage message = message();
		this.dispatch.execute(() -> {
			ranOn.set(Thread.currentThread());
			this.deliveries.offer(message);
		});

		assertThat(pulled.get(10, TimeUnit.SECONDS)).containsSame(message);
		assertThat(ranOn.get()).isSameAs(puller);
		assertThat(this.dispatch.hasWaitingThread()).isFalse();
	}

	@Test
	void withNoThreadWaitingACallbackRunsOnThePool() throws Exception {
		ThreadRecorder callback = new ThreadRecorder();
		this.dispatch.execute(callback);

		assertThat(callback.awaitThread().getName()).startsWith(POOL_THREAD);
	}

	@Test
	void whileAClientConsumesWithAHandlerEveryCallbackRunsOnThePool() throws Exception {
		this.dispatch.handlerStarted();
		this.dispatch.waiting(this.deliveries);
		ThreadRecorder callback = new ThreadRecorder();
		this.dispatch.execute(callback);

		assertThat(callback.awaitThread().getName()).startsWith(POOL_THREAD);
		this.dispatch.stoppedWaiting(this.deliveries);
		this.dispatch.handlerStopped();
	}

	@Test
	void callbacksHandedToAThreadThatStopsWaitingBecauseItWasInterruptedRunOnThePool() throws Exception {
		// the steps of a waiting thread, one by one: handed a callback, then interrupted
		// before it ran it
		this.dispatch.waiting(this.deliveries);
		ThreadRecorder callback = new ThreadRecorder();
		this.dispatch.execute(callback);
		assertThat(callback.ranOn).as("handed to the waiting thread, not run yet").isNotDone();

		this.dispatch.runHanded(Objects.requireNonNull(this.dispatch.stoppedWaiting(this.deliveries)), true);

		assertThat(callback.awaitThread().getName()).startsWith(POOL_THREAD);
	}

	@Test
	void aPullThatTimesOutLeavesNoThreadRegisteredToRunCallbacks() throws Exception {
		assertThat(this.deliveries.poll(Duration.ofMillis(50))).isEmpty();
		assertThat(this.dispatch.hasWaitingThread()).isFalse();

		CountDownLatch ran = new CountDownLatch(1);
		this.dispatch.execute(ran::countDown);
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
	}

	/**
	 * Over a backlog the puller is mostly handling a message, not waiting: a callback
	 * dispatched meanwhile waits for its next pull rather than going to a pool thread,
	 * which would then have to wake it (issue 30).
	 */
	@Test
	void aCallbackDispatchedWhileThePullingThreadHandlesAMessageRunsOnItAtItsNextPull() throws Exception {
		// a sweep far off: the test thread's steps may take long on a busy machine
		ConsumerDispatch patient = new ConsumerDispatch("dispatch-tests-patient", 2, 600_000);
		DeliveryQueue queue = new DeliveryQueue(Runnable::run, patient);
		try {
			RabbitMessage first = message();
			RabbitMessage second = message();
			queue.offer(first);
			CountDownLatch handling = new CountDownLatch(1);
			CountDownLatch pullAgain = new CountDownLatch(1);
			CompletableFuture<Optional<RabbitMessage>> pulledFirst = new CompletableFuture<>();
			CompletableFuture<Optional<RabbitMessage>> pulledAgain = new CompletableFuture<>();
			Thread puller = new Thread(() -> {
				try {
					pulledFirst.complete(queue.poll(Duration.ofSeconds(30)));
					handling.countDown();
					pullAgain.await();
					pulledAgain.complete(queue.poll(Duration.ofSeconds(30)));
				}
				catch (Throwable ex) {
					pulledAgain.completeExceptionally(ex);
				}
			}, "puller");
			puller.start();
			assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(pulledFirst.get()).containsSame(first);

			AtomicReference<Thread> ranOn = new AtomicReference<>();
			patient.execute(() -> {
				ranOn.set(Thread.currentThread());
				queue.offer(second);
			});
			pullAgain.countDown();

			assertThat(pulledAgain.get(10, TimeUnit.SECONDS)).containsSame(second);
			assertThat(ranOn.get()).isSameAs(puller);
		}
		finally {
			queue.close();
			patient.shutdownNow();
		}
	}

	@Test
	void callbacksLeftForAPullingThreadThatDoesNotPullAgainRunOnThePool() throws Exception {
		this.deliveries.offer(message());
		assertThat(this.deliveries.poll(Duration.ofSeconds(10))).as("this thread pulled, and pulls no more")
			.isPresent();

		ThreadRecorder callback = new ThreadRecorder();
		this.dispatch.execute(callback);

		assertThat(callback.awaitThread().getName()).startsWith(POOL_THREAD);
	}

	@Test
	void callbacksLeftForAPullingThreadRunOnThePoolOnceAClientConsumesWithAHandler() throws Exception {
		ConsumerDispatch patient = new ConsumerDispatch("dispatch-tests-patient", 2, 600_000);
		DeliveryQueue queue = new DeliveryQueue(Runnable::run, patient);
		try {
			queue.offer(message());
			assertThat(queue.poll(Duration.ofSeconds(10))).isPresent();
			ThreadRecorder callback = new ThreadRecorder();
			patient.execute(callback);
			assertThat(callback.ranOn).as("left for the pulling thread's next pull").isNotDone();

			// the callback may run the handler's deliveries: never on a pulling thread
			patient.handlerStarted();

			assertThat(callback.awaitThread().getName()).startsWith(POOL_THREAD);
			patient.handlerStopped();
		}
		finally {
			queue.close();
			patient.shutdownNow();
		}
	}

	@Test
	void closingWakesAWaitingIterationWhichThenEnds() throws Exception {
		CompletableFuture<RabbitMessage> taken = new CompletableFuture<>();
		Thread puller = new Thread(() -> {
			try {
				taken.complete(this.deliveries.take());
			}
			catch (Throwable ex) {
				taken.completeExceptionally(ex);
			}
		}, "iterating");
		puller.start();
		await().atMost(Duration.ofSeconds(10)).until(this.dispatch::hasWaitingThread);

		this.deliveries.close();

		assertThat(taken.get(10, TimeUnit.SECONDS)).isNull();
		assertThat(this.dispatch.hasWaitingThread()).isFalse();
	}

	@Test
	void aThreadWaitingInReceiveRunsTheDeliveryOfTheMessageItGets() throws Exception {
		String stream = this.names.stream("pulled");
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).build();
		CachingConnectionFactory connectionFactory = RabbitConnectionFactories.create(stream, config);
		DirectMessageListenerContainer container = RabbitListenerContainers.create(connectionFactory,
				RabbitTopology.of(stream, config), config);
		// the container converts each delivery on the thread that runs it
		Map<String, Thread> convertedOn = new ConcurrentHashMap<>();
		container.setAfterReceivePostProcessors((message) -> {
			convertedOn.put(new String(message.getBody(), StandardCharsets.UTF_8), Thread.currentThread());
			return message;
		});
		ConsumerDispatch dispatch = ClientConnectionFactory.dispatchOf(connectionFactory);
		assertThat(dispatch).isNotNull();
		try (RabbitClient client = RabbitClient.builder(stream, config)
			.connectionFactory(connectionFactory)
			.listenerContainer(container)
			.build()
			.connect()) {
			for (int i = 1; i <= 3; i++) {
				String body = "m" + i;
				CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
					await().atMost(Duration.ofSeconds(10)).until(dispatch::hasWaitingThread);
					client.send(body).join();
				});
				Optional<RabbitMessage> received = client.receive(Duration.ofSeconds(30));
				sent.get(10, TimeUnit.SECONDS);
				assertThat(received).map(RabbitMessage::text).contains(body);
				client.ack(received.get());
			}
			// the first may have met the consumer's consume-ok being dispatched; by the
			// last, nothing else is
			assertThat(convertedOn.get("m3")).isSameAs(Thread.currentThread());
		}
		finally {
			connectionFactory.destroy();
		}
	}

	@Test
	void whileAClientOnTheConnectionConsumesWithAHandlerNoHandlerRunsOnAPullingThread() throws Exception {
		String pulled = this.names.stream("pull-beside");
		String pushed = this.names.stream("push-beside");
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).build();
		CachingConnectionFactory shared = RabbitConnectionFactories.create("shared", config);
		ConsumerDispatch dispatch = ClientConnectionFactory.dispatchOf(shared);
		assertThat(dispatch).isNotNull();
		try (RabbitClient puller = RabbitClient.builder(pulled, config).connectionFactory(shared).build().connect();
				RabbitClient pusher = RabbitClient.builder(pushed, config)
					.connectionFactory(shared)
					.build()
					.connect()) {
			CompletableFuture<Thread> handledOn = new CompletableFuture<>();
			pusher.subscribe((message) -> handledOn.complete(Thread.currentThread()));
			CompletableFuture<Optional<RabbitMessage>> pull = CompletableFuture
				.supplyAsync(() -> puller.receive(Duration.ofSeconds(30)));
			await().atMost(Duration.ofSeconds(10)).until(dispatch::hasWaitingThread);

			pusher.send("for the handler").join();

			assertThat(handledOn.get(10, TimeUnit.SECONDS).getName()).startsWith("zephcast-shared-");
			puller.send("for the puller").join();
			Optional<RabbitMessage> received = pull.get(10, TimeUnit.SECONDS);
			assertThat(received).map(RabbitMessage::text).contains("for the puller");
			puller.ack(received.get());
		}
		finally {
			shared.destroy();
		}
	}

	@Test
	void idleThreadsAreKeptWhileTheConnectionFactoryHasAConnection() {
		CachingConnectionFactory connectionFactory = RabbitConnectionFactories.create("kept",
				RabbitConfig.builder().url(RabbitBroker.url()).build());
		ConsumerDispatch dispatch = ClientConnectionFactory.dispatchOf(connectionFactory);
		assertThat(dispatch).isNotNull();
		try {
			connectionFactory.createConnection();
			assertThat(dispatch.keepsIdleThreads()).isTrue();
			connectionFactory.resetConnection();
			assertThat(dispatch.keepsIdleThreads()).as("connections closed").isFalse();
			connectionFactory.createConnection();
			assertThat(dispatch.keepsIdleThreads()).as("connected again").isTrue();
		}
		finally {
			connectionFactory.destroy();
		}
		assertThat(dispatch.keepsIdleThreads()).as("destroyed").isFalse();
	}

	/** A callback that records the thread it ran on. */
	private static final class ThreadRecorder implements Runnable {

		final CompletableFuture<Thread> ranOn = new CompletableFuture<>();

		@Override
		public void run() {
			this.ranOn.complete(Thread.currentThread());
		}

		Thread awaitThread() throws Exception {
			return this.ranOn.get(10, TimeUnit.SECONDS);
		}

	}

	private RabbitMessage message() throws Exception {
		Settlement delivery = new Settlement(this, this.connection.createChannel(), 1, () -> {
		}, DeliveryListener.NONE, null);
		return new ReceivedMessage("body".getBytes(StandardCharsets.UTF_8), new MessageProperties(),
				new PayloadCodec(JsonMapper.builder().build()), delivery);
	}

}
