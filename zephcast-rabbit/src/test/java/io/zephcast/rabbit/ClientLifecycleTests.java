package io.zephcast.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The client's lifecycle as documented, against the real broker: consuming starts
 * atomically, a closed client behaves as its Javadoc says, Spring's stop is not close,
 * close is bounded and lets handlers in flight send, and pulls never hang.
 */
class ClientLifecycleTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url());
	}

	@Test
	void aFailedFirstConsumeLeavesTheClientAsIfItHadNeverTried() throws Exception {
		// no queue name: the queue is the stream's, declared when consuming starts; it
		// exists with other settings
		String stream = this.names.stream("atomic");
		declareMismatchedQueue(stream);
		try (RabbitClient client = new RabbitClient(stream, config().build()).connect()) {
			assertThatExceptionOfType(TopologyMismatchException.class)
				.isThrownBy(() -> client.receive(Duration.ofMillis(100)))
				.withMessageContaining("x-max-length");
			assertThatExceptionOfType(TopologyMismatchException.class).as("tried again, not silently empty")
				.isThrownBy(() -> client.receive(Duration.ofMillis(100)));
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> client.receive().get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(TopologyMismatchException.class);
			assertThatExceptionOfType(TopologyMismatchException.class).as("a handler may still be subscribed instead")
				.isThrownBy(() -> client.subscribe((message) -> {
				}));

			deleteRawQueue(stream);
			assertThat(client.receive(Duration.ofMillis(100))).as("declared and consuming now").isEmpty();
			client.send("now it works").get(10, TimeUnit.SECONDS);
			Optional<RabbitMessage> received = client.receive(Duration.ofSeconds(10));
			assertThat(received).map(RabbitMessage::text).contains("now it works");
			client.ack(received.get());
		}
	}

	@Test
	void aClosedClientRefusesPullsAndItsIterationIsEmpty() {
		String queue = this.names.queue("closed");
		RabbitClient client = new RabbitClient("closed", config().queueName(queue).build()).connect();
		client.close();
		assertThatIllegalStateException().isThrownBy(() -> client.receive(Duration.ofMillis(10)))
			.withMessageContaining("closed");
		assertThat(client.receive()).isCompletedExceptionally();
		assertThat(client.iterator().hasNext()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> client.send("late")).withMessageContaining("closed");
	}

	@Test
	void springStopIsNotCloseAndStartResumes() throws Exception {
		String queue = this.names.queue("stop-start");
		CopyOnWriteArrayList<String> handled = new CopyOnWriteArrayList<>();
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean(RabbitClient.class,
					() -> new RabbitClient("stop-start", config().queueName(queue).build()));
			context.refresh();
			RabbitClient client = context.getBean(RabbitClient.class);
			client.subscribe((message) -> handled.add(message.text()));
			client.send("before stop").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10)).until(() -> handled.contains("before stop"));

			context.stop();
			assertThat(client.isRunning()).isFalse();
			assertThatIllegalStateException().isThrownBy(() -> client.send("while stopped"))
				.withMessageContaining("stopped");
			sendRaw(queue, "sent while stopped");
			assertThat(RabbitBroker.readyMessages(queue)).as("nobody consumes while stopped").isEqualTo(1);

			context.start();
			assertThat(client.isRunning()).isTrue();
			client.send("after start").get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> handled.containsAll(List.of("sent while stopped", "after start")));
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aHandlerFinishingDuringCloseCanStillSendAndCloseWaitsForItsConfirm() throws Exception {
		String queue = this.names.queue("in");
		String replies = this.names.queue("replies");
		declareRawQueue(replies, true);
		CountDownLatch entered = new CountDownLatch(1);
		AtomicReference<CompletableFuture<Void>> reply = new AtomicReference<>();
		AtomicReference<Throwable> handlerFailure = new AtomicReference<>();
		RabbitClient client = new RabbitClient("in", config().queueName(queue).build()).connect();
		client.subscribe((message) -> {
			entered.countDown();
			try {
				// the real condition: the client has begun closing
				await().atMost(Duration.ofSeconds(10)).until(() -> !client.isRunning());
				reply.set(client.send("reply to " + message.text(), SendOptions.routingKey(replies)));
			}
			catch (Throwable ex) {
				handlerFailure.set(ex);
			}
		});
		client.send("request").get(10, TimeUnit.SECONDS);
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
		client.close();
		assertThat(handlerFailure.get()).as("the handler could send while the client closed").isNull();
		assertThat(reply.get()).as("close waited for the reply's confirm").isCompleted();
		assertThat(RabbitBroker.readyMessages(replies)).isEqualTo(1);
		assertThat(RabbitBroker.readyMessages(queue)).as("the request was acked").isZero();
	}

	@Test
	void closeIsBoundedByTheShutdownTimeoutEvenWithAHandlerThatNeverReturns() throws Exception {
		String queue = this.names.queue("stuck");
		Duration shutdownTimeout = Duration.ofSeconds(2);
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		RabbitClient client = new RabbitClient("stuck",
				config().queueName(queue).shutdownTimeout(shutdownTimeout).build())
			.connect();
		client.subscribe((message) -> {
			entered.countDown();
			release.await();
		});
		client.send("stuck").get(10, TimeUnit.SECONDS);
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
		long started = System.nanoTime();
		client.close();
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		release.countDown();
		// the bound is the setting itself (plus closing channels), not twice it
		assertThat(took).isLessThan(shutdownTimeout.plusMillis(1500));
		await().atMost(Duration.ofSeconds(10)).until(() -> RabbitBroker.readyMessages(queue) == 1);
	}

	@Test
	void aPullWhoseCompletionExecutorRejectsFailsInsteadOfHanging() throws Exception {
		String queue = this.names.queue("rejecting");
		Executor rejecting = (task) -> {
			throw new RejectedExecutionException("saturated");
		};
		try (RabbitClient client = RabbitClient.builder("rejecting", config().queueName(queue).build())
			.callbackExecutor(rejecting)
			.build()
			.connect()) {
			CompletableFuture<RabbitMessage> pull = client.receive();
			sendRaw(queue, "arrives");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> pull.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(IllegalStateException.class)
				.withMessageContaining("rejected");
			Optional<RabbitMessage> kept = client.receive(Duration.ofSeconds(10));
			assertThat(kept).as("the message stays for the next pull").map(RabbitMessage::text).contains("arrives");
			client.ack(kept.get());
		}
	}

	@Test
	void sendsRacingCloseAllCompleteAndOpenNoNewConnection() throws Exception {
		String queue = this.names.queue("race");
		String stream = "race-" + queue;
		RabbitClient client = new RabbitClient(stream, config().queueName(queue).build()).connect();
		CopyOnWriteArrayList<CompletableFuture<Void>> sends = new CopyOnWriteArrayList<>();
		CountDownLatch sending = new CountDownLatch(2);
		List<Thread> senders = List.of(new Thread(() -> sendUntilClosed(client, sends, sending)),
				new Thread(() -> sendUntilClosed(client, sends, sending)));
		senders.forEach(Thread::start);
		assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
		client.close();
		for (Thread sender : senders) {
			sender.join(10_000);
			assertThat(sender.isAlive()).isFalse();
		}
		CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]))
			.exceptionally((ex) -> null)
			.get(10, TimeUnit.SECONDS);
		assertThat(sends).allSatisfy((send) -> assertThat(send).isDone());
		long confirmed = sends.stream().filter((send) -> !send.isCompletedExceptionally()).count();
		assertThat(RabbitBroker.readyMessages(queue)).as("every confirmed send is in the queue")
			.isGreaterThanOrEqualTo(confirmed);
		await().atMost(Duration.ofSeconds(10))
			.alias("no connection left open or opened after close")
			.until(() -> RabbitBroker.management().countConnections(stream) == 0);
	}

	@Test
	void bufferedMessagesGoBackToTheQueueOnlyAfterTheConsumersStop() throws Exception {
		String queue = this.names.queue("buffered");
		declareRawQueue(queue, true);
		// the broker's firehose reports every delivery from the queue: the truth about
		// redeliveries
		try (Connection connection = RabbitBroker.rawConnection(); Channel trace = connection.createChannel()) {
			String deliveries = trace.queueDeclare().getQueue();
			trace.queueBind(deliveries, "amq.rabbitmq.trace", "deliver." + queue);
			BrokerControl.rabbitmqctl("trace_on");
			try {
				for (int i = 0; i < 10; i++) {
					sendRaw(queue, "m" + i);
				}
				RabbitClient client = new RabbitClient("buffered", config().queueName(queue).prefetchCount(10).build())
					.connect();
				RabbitMessage first = client.receive(Duration.ofSeconds(10)).orElseThrow();
				client.ack(first);
				// all ten were delivered: one handed out, nine fetched into the buffer
				// and never seen
				await().atMost(Duration.ofSeconds(10)).until(() -> trace.messageCount(deliveries) == 10);
				client.close();
				assertThat(RabbitBroker.readyMessages(queue)).as("the nine unseen ones are back").isEqualTo(9);
				await().during(Duration.ofMillis(500))
					.atMost(Duration.ofSeconds(5))
					.until(() -> trace.messageCount(deliveries) == 10);
			}
			finally {
				BrokerControl.rabbitmqctl("trace_off");
			}
		}
	}

	@Test
	void closingAClientEndsItsConnectionsDispatchThreads() throws Exception {
		String stream = this.names.stream("dispatch-threads");
		CountDownLatch handled = new CountDownLatch(1);
		RabbitClient client = new RabbitClient(stream, config().build()).connect();
		try {
			client.subscribe((message) -> handled.countDown());
			client.send("runs on a dispatch thread").get(10, TimeUnit.SECONDS);
			assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(dispatchThreads(stream)).as("the handler's").isNotEmpty();
		}
		finally {
			client.close();
		}
		// idle, they wait for work without a timeout until their connection factory is
		// destroyed; before, they took a minute to end
		await().atMost(Duration.ofSeconds(10)).until(() -> dispatchThreads(stream).isEmpty());
	}

	private static List<Thread> dispatchThreads(String connectionName) {
		String name = Pattern.quote("zephcast-" + connectionName + "-") + "\\d+";
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().matches(name))
			.toList();
	}

	private static void sendUntilClosed(RabbitClient client, List<CompletableFuture<Void>> sends,
			CountDownLatch sending) {
		sending.countDown();
		for (int i = 0; i < 5000; i++) {
			try {
				sends.add(client.send("racing"));
			}
			catch (IllegalStateException ex) {
				return;
			}
		}
	}

	/**
	 * Declares the queue with a length limit the client does not declare, so that the
	 * client's declaration is refused (a durable queue: RabbitMQ 4 deprecates transient
	 * shared ones).
	 */
	private static void declareMismatchedQueue(String queue) throws Exception {
		declareRawQueue(queue, true, Map.of("x-max-length", 1000));
	}

	private static void declareRawQueue(String queue, boolean durable) throws Exception {
		declareRawQueue(queue, durable, Map.of());
	}

	private static void declareRawQueue(String queue, boolean durable, Map<String, Object> arguments) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, durable, false, false, arguments);
		}
	}

	private static void deleteRawQueue(String queue) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDelete(queue);
		}
	}

	private static void sendRaw(String queue, String text) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			channel.basicPublish("", queue, null, text.getBytes());
			channel.waitForConfirmsOrDie(10_000);
		}
	}

}
