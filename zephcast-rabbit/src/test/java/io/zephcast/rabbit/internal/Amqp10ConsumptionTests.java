package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RetryPolicy;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * AMQP 1.0 consumption on RabbitMQ 4: {@link Amqp10Consumption} on a queue declared
 * through AMQP 1.0 management, checked against what the broker holds.
 */
class Amqp10ConsumptionTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private Amqp10TestBroker broker;

	@BeforeEach
	void connect() {
		this.broker = new Amqp10TestBroker();
	}

	@AfterEach
	void close() {
		this.broker.close();
	}

	@Test
	void pullHandsOutWhatWasPublishedInOrder() throws Exception {
		String queue = this.broker.queue("-pull");
		this.broker.publish(queue, 20);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(5).concurrency(1).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		List<RabbitMessage> received = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			RabbitMessage message = (i % 2 == 0) ? consumption.next().get(10, TimeUnit.SECONDS)
					: consumption.poll(WAIT).orElseThrow();
			received.add(message);
			consumption.ack(message);
		}
		for (int i = 0; i < 20; i++) {
			RabbitMessage message = received.get(i);
			assertThat(message.text()).isEqualTo("m-" + i);
			assertThat(message.bodyAs(String.class)).isEqualTo("m-" + i);
			assertThat(message.messageId()).isEqualTo("id-" + i);
			assertThat(message.correlationId()).isEqualTo("corr-" + i);
			assertThat(message.contentType()).isEqualTo("text/plain");
			assertThat(message.timestamp()).isEqualTo(java.time.Instant.ofEpochMilli(1_700_000_000_000L + i));
			assertThat(message.headers()).containsEntry("tenant", "acme").containsKey("index");
			assertThat(((Number) message.header("index")).intValue()).isEqualTo(i);
			assertThat(message.queue()).isEqualTo(queue);
			assertThat(message.redelivered()).isFalse();
			assertThat(message.deliveryAttempt()).isEqualTo(1);
			assertThat(message.isSettled()).isTrue();
			assertThat(consumption.owns(message)).isTrue();
			assertThat(message.toString()).doesNotContain("m-" + i).contains("id-" + i);
		}
		assertThat(received).extracting(RabbitMessage::deliveryTag).doesNotHaveDuplicates();
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
		assertThat(consumption.poll(Duration.ofMillis(200))).isEmpty();
	}

	@Test
	void prefetchBoundsWhatTheClientHolds() throws Exception {
		String queue = this.broker.queue("-prefetch");
		this.broker.publish(queue, 40);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(3).concurrency(2).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		// a puller that settles nothing gets the prefetch on each link, no more
		int held = 2 * 3;
		await().atMost(WAIT).until(() -> consumption.deliveriesBuffered() == held);
		AtomicLong mostUnacked = new AtomicLong();
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			long unacked = unacknowledged(queue);
			mostUnacked.accumulateAndGet(unacked, Math::max);
			return unacked == held;
		});
		// taking and acking never lets the client hold more than prefetch x concurrency
		for (int i = 0; i < 10; i++) {
			RabbitMessage message = consumption.poll(WAIT).orElseThrow();
			assertThat(consumption.deliveriesBuffered()).isLessThan(6);
			consumption.ack(message);
			mostUnacked.accumulateAndGet(unacknowledged(queue), Math::max);
		}
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) + consumption.deliveriesBuffered() == 30);
		assertThat(consumption.deliveriesBuffered()).isBetween(1, 6);
		assertThat(mostUnacked.get()).isLessThanOrEqualTo(6);
	}

	private static long unacknowledged(String queue) {
		return RabbitBroker.management().queue(queue).orElseThrow().path("messages_unacknowledged").asLong(0);
	}

	@Test
	void nackWithRequeueComesBackRedeliveredAndSettlingTwiceFails() throws Exception {
		String queue = this.broker.queue("-requeue");
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).prefetchCount(1).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		RabbitMessage first = consumption.poll(WAIT).orElseThrow();
		consumption.nack(first, true);
		assertThatThrownBy(() -> consumption.ack(first)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("already settled");
		RabbitMessage again = consumption.poll(WAIT).orElseThrow();
		assertThat(again.messageId()).isEqualTo(first.messageId());
		assertThat(again.redelivered()).isTrue();
		assertThat(again.deliveryTag()).isNotEqualTo(first.deliveryTag());
		consumption.ack(again);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aQuorumQueuesRequeuedMessageComesBackRedeliveredAndCounted() throws Exception {
		String queue = this.broker.queue("-quorum", (spec) -> spec.quorum());
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).prefetchCount(1).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		consumption.nack(consumption.poll(WAIT).orElseThrow(), true);
		RabbitMessage again = consumption.poll(WAIT).orElseThrow();
		assertThat(again.messageId()).isEqualTo("id-0");
		assertThat(again.redelivered()).isTrue();
		// a nack is settled as modified with delivery-failed, which a quorum queue counts
		// (as it counts a 0-9-1 nack with requeue)
		assertThat(again.deliveryAttempt()).isEqualTo(2);
		consumption.ack(again);
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) == 0);
	}

	@Test
	void nackWithoutRequeueDeadLettersToTheQueuesExchange() throws Exception {
		String dead = this.broker.queue("-rejected");
		String exchange = this.broker.fanoutTo("-dlx", dead);
		String queue = this.broker.queue("-reject", (spec) -> spec.deadLetterExchange(exchange));
		this.broker.publish(queue, 2);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		consumption.nack(consumption.poll(WAIT).orElseThrow(), false);
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(dead) == 1);
		assertThat(bodyOf(get(dead))).isEqualTo("m-0");
		consumption.ack(consumption.poll(WAIT).orElseThrow());
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void retryLaterParksOneCopyInTheWaitQueueAndAcceptsTheOriginal() throws Exception {
		String queue = this.broker.queue("-retry");
		RabbitConfig config = this.broker.config(queue).retry(RetryPolicy.DEFAULT).build();
		// declared without TTL here so that the copy stays to be read
		String wait = this.broker.queue(RabbitTopology.of(this.broker.prefix, config)
			.retryQueues()
			.waitQueueName(Duration.ofSeconds(1))
			.substring(this.broker.prefix.length()));
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(config);
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		RabbitMessage message = consumption.poll(WAIT).orElseThrow();
		consumption.retryLater(message, new IllegalStateException("flaky")).get(10, TimeUnit.SECONDS);
		assertThat(message.isSettled()).isTrue();
		assertThat(RabbitBroker.readyMessages(wait)).isEqualTo(1);
		GetResponse copy = get(wait);
		assertThat(bodyOf(copy)).isEqualTo("m-0");
		assertThat(copy.getProps().getMessageId()).isEqualTo("id-0");
		Map<String, Object> headers = copy.getProps().getHeaders();
		assertThat(headers.get("retry-count")).isEqualTo(1L);
		assertThat(String.valueOf(headers.get(MessageHeaders.ORIGINAL_ROUTING_KEY))).isEqualTo(queue);
		assertThat(String.valueOf(headers.get(MessageHeaders.EXCEPTION)))
			.isEqualTo(IllegalStateException.class.getName());
		assertThat(String.valueOf(headers.get("tenant"))).isEqualTo("acme");
		await().atMost(WAIT).until(() -> unacknowledged(queue) == 0);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
		assertThat(consumption.poll(Duration.ofMillis(300))).isEmpty();
	}

	@Test
	void aRetriedMessageComesBackCountedThenIsDeadLetteredAfterItsLastAttempt() throws Exception {
		String queue = this.broker.queue("-attempts");
		RabbitConfig config = this.broker.config(queue)
			.retry(RetryPolicy.builder().maxAttempts(2).initialInterval(Duration.ofMillis(200)).build())
			.build();
		RetryQueues retryQueues = RabbitTopology.of(this.broker.prefix, config).retryQueues();
		// as the client declares it: the interval as TTL, then back to the queue
		this.broker.queue(retryQueues.waitQueueName(Duration.ofMillis(200)).substring(this.broker.prefix.length()),
				(spec) -> spec.messageTtl(Duration.ofMillis(200)).deadLetterExchange("").deadLetterRoutingKey(queue));
		String dlq = this.broker.queue("-attempts" + RetryQueues.DEAD_LETTER_SUFFIX);
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(config);
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		RabbitMessage first = consumption.poll(WAIT).orElseThrow();
		assertThat(first.deliveryAttempt()).isEqualTo(1);
		consumption.retryLater(first, new IllegalStateException("once")).get(10, TimeUnit.SECONDS);
		RabbitMessage second = consumption.poll(WAIT).orElseThrow();
		assertThat(second.messageId()).isEqualTo("id-0");
		assertThat(second.text()).isEqualTo("m-0");
		assertThat(second.deliveryAttempt()).isEqualTo(2);
		assertThat(second.routingKey()).isEqualTo(queue);
		assertThat(second.header("tenant")).isEqualTo("acme");
		consumption.retryLater(second, new IllegalStateException("twice")).get(10, TimeUnit.SECONDS);
		assertThat(RabbitBroker.readyMessages(dlq)).isEqualTo(1);
		Map<String, Object> headers = get(dlq).getProps().getHeaders();
		assertThat(String.valueOf(headers.get(MessageHeaders.DEAD_LETTER_REASON)))
			.isEqualTo(MessageHeaders.REASON_ATTEMPTS_EXHAUSTED);
		assertThat(headers.get(MessageHeaders.ATTEMPTS)).isEqualTo(2L);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aFailingHandlerRetriesLater() throws Exception {
		String queue = this.broker.queue("-push-retry");
		RabbitConfig config = this.broker.config(queue).retry(RetryPolicy.DEFAULT).build();
		String wait = this.broker.queue(RabbitTopology.of(this.broker.prefix, config)
			.retryQueues()
			.waitQueueName(Duration.ofSeconds(1))
			.substring(this.broker.prefix.length()));
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(config);
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PUSH, (message) -> {
			throw new IllegalStateException("handler down");
		});
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(wait) == 1);
		assertThatThrownBy(() -> consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null))
			.isInstanceOf(IllegalStateException.class);
		await().atMost(WAIT).until(() -> unacknowledged(queue) == 0);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void deadLetterSendsACopyWithTheReasonToTheDeadLetterQueue() throws Exception {
		String queue = this.broker.queue("-dead");
		String dlq = this.broker.queue("-dead" + RetryQueues.DEAD_LETTER_SUFFIX);
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		RabbitMessage message = consumption.poll(WAIT).orElseThrow();
		consumption.deadLetter(message, new IllegalArgumentException("poison")).get(10, TimeUnit.SECONDS);
		assertThat(RabbitBroker.readyMessages(dlq)).isEqualTo(1);
		Map<String, Object> headers = get(dlq).getProps().getHeaders();
		assertThat(String.valueOf(headers.get(MessageHeaders.DEAD_LETTER_REASON)))
			.isEqualTo(MessageHeaders.REASON_REJECTED);
		assertThat(String.valueOf(headers.get(MessageHeaders.EXCEPTION)))
			.isEqualTo(IllegalArgumentException.class.getName());
		assertThat(String.valueOf(headers.get(MessageHeaders.EXCEPTION_MESSAGE))).isEqualTo("poison");
		assertThat(headers.get(MessageHeaders.ATTEMPTS)).isEqualTo(1L);
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void aCopyNotStoredIsHeldThenRequeuedNotLost() throws Exception {
		String queue = this.broker.queue("-unparked");
		// no dead-letter queue declared: the copy is released (no such queue)
		RabbitConfig config = this.broker.config(queue)
			.retry(RetryPolicy.builder().maxAttempts(2).initialInterval(Duration.ofMillis(300)).build())
			.build();
		this.broker.publish(queue, 1);
		Amqp10Consumption consumption = this.broker.consumption(config);
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		RabbitMessage message = consumption.poll(WAIT).orElseThrow();
		CompletableFuture<Void> settled = consumption.deadLetter(message, null);
		await().atMost(WAIT).until(() -> consumption.parkingHeld() == 1 || settled.isDone());
		settled.get(10, TimeUnit.SECONDS);
		RabbitMessage again = consumption.poll(WAIT).orElseThrow();
		assertThat(again.messageId()).isEqualTo("id-0");
		assertThat(again.redelivered()).isTrue();
		consumption.ack(again);
	}

	@Test
	void stopReleasesBufferedMessagesAndFailsWaitingReceives() throws Exception {
		String queue = this.broker.queue("-stop");
		this.broker.publish(queue, 10);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).prefetchCount(10).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		int credit = 10;
		await().atMost(WAIT).until(() -> consumption.deliveriesBuffered() == credit);
		for (int i = 0; i < credit; i++) {
			assertThat(consumption.poll(WAIT)).isPresent();
		}
		// nothing buffered now, and the link holds what it may: one pull waits
		CompletableFuture<RabbitMessage> waiting = consumption.next();
		consumption.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
		assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
			.hasCauseInstanceOf(IllegalStateException.class);
		assertThat(consumption.isConsuming()).isFalse();
		assertThat(consumption.consumersRunning()).isZero();
		// those handed out but unacked went back when the link closed
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) == 10);
	}

	@Test
	void stopReleasesMessagesBufferedButNotHandedOut() throws Exception {
		String queue = this.broker.queue("-stop-buffered");
		this.broker.publish(queue, 10);
		Amqp10Consumption consumption = this.broker.consumption(this.broker.config(queue).prefetchCount(5).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		await().atMost(WAIT).until(() -> consumption.deliveriesBuffered() == 5);
		consumption.ack(consumption.poll(WAIT).orElseThrow());
		consumption.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) == 9);
		// starts again, and hands out what it released
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		Optional<RabbitMessage> next = consumption.poll(WAIT);
		assertThat(next).isPresent();
		assertThat(next.get().messageId()).isEqualTo("id-1");
		consumption.ack(next.get());
	}

	@Test
	void aConsumerGroupSpreadsMessagesOverItsLinks() throws Exception {
		String queue = this.broker.queue("-group");
		this.broker.publish(queue, 60);
		Set<String> consumers = ConcurrentHashMap.newKeySet();
		Set<String> handled = ConcurrentHashMap.newKeySet();
		// each handler holds its first message until every link has one: with credit 1
		// per link, the broker must then deliver to the others
		CountDownLatch everyLinkHasOne = new CountDownLatch(3);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(1).concurrency(3).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PUSH, (message) -> {
			if (consumers.add(message.consumerTag())) {
				everyLinkHasOne.countDown();
			}
			handled.add(message.messageId());
			everyLinkHasOne.await(WAIT.toSeconds(), TimeUnit.SECONDS);
		});
		assertThat(consumption.consumersRunning()).isEqualTo(3);
		await().atMost(WAIT).until(() -> handled.size() == 60);
		assertThat(consumers).hasSize(3);
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) == 0 && unacknowledged(queue) == 0);
	}

	private static GetResponse get(String queue) throws Exception {
		try (com.rabbitmq.client.Connection connection = RabbitBroker.rawConnection();
				Channel channel = connection.createChannel()) {
			GetResponse response = channel.basicGet(queue, true);
			assertThat(response).as("a message in " + queue).isNotNull();
			return response;
		}
	}

	private static String bodyOf(GetResponse response) {
		return new String(response.getBody(), java.nio.charset.StandardCharsets.UTF_8);
	}

}
