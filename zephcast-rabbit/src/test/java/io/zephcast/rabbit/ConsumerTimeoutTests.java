package io.zephcast.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A handler that runs longer than the broker's consumer timeout: the broker closes the
 * consumer's channel and requeues the message; the client says so (one WARN, the status,
 * the health) instead of a silent redelivery, and the message is handled again and acked.
 * <p>
 * For a classic and a quorum queue. The queue gets a 1 s {@code x-consumer-timeout}. The
 * broker checks the timeouts on each channel's tick, every {@code channel_tick_interval}
 * (60 s by default), read when a channel opens: the test lowers it to 200 ms for the
 * channels it opens and restores it after (the setting only makes ticks more frequent,
 * the consumer timeouts themselves stay each queue's; run the class under
 * {@code flock -x /tmp/zephcast-broker.lock} all the same). Skipped before RabbitMQ 3.12,
 * which has no per-queue timeout.
 */
class ConsumerTimeoutTests {

	private static final String TICK = "channel_tick_interval";

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final Logger logger = (Logger) LoggerFactory.getLogger(RabbitClient.class);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	/** The broker's tick interval before the test lowered it, or null if it did not. */
	private @Nullable String tickBefore;

	@BeforeEach
	void fastTicks() {
		String[] version = RabbitBroker.version().split("\\.");
		// fails, never skips: run it on the default broker under test (RabbitMQ 4.0)
		assertThat(Integer.parseInt(version[0]) > 3 || Integer.parseInt(version[1]) >= 12)
			.as("RabbitMQ " + RabbitBroker.version() + ": the queue argument x-consumer-timeout needs RabbitMQ 3.12 "
					+ "or later (the broker-wide consumer_timeout would cut short every other test's slow consumers); "
					+ "run it on RabbitMQ 4.0 (.ci/rabbitmq4-up, the build's default), not with -Pbroker-3.10")
			.isTrue();
		String current = BrokerControl.rabbitmqctl("eval", "application:get_env(rabbit, " + TICK + ").").trim();
		// {ok,60000}
		this.tickBefore = current.startsWith("{ok,") ? current.substring(4, current.length() - 1) : "60000";
		BrokerControl.rabbitmqctl("eval", "application:set_env(rabbit, " + TICK + ", 200).");
		this.log.start();
		this.logger.addAppender(this.log);
	}

	@AfterEach
	void restoreTicks() {
		this.logger.detachAppender(this.log);
		if (this.tickBefore != null) {
			BrokerControl.rabbitmqctl("eval", "application:set_env(rabbit, " + TICK + ", " + this.tickBefore + ").");
		}
	}

	@ParameterizedTest
	@EnumSource(QueueType.class)
	void aHandlerPastTheConsumerTimeoutIsReportedAndItsMessageRedeliveredAndAcked(QueueType type) throws Exception {
		String queue = this.names.queue("slow-" + type.name().toLowerCase(Locale.ROOT));
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.queueName(queue)
			.queueType(type)
			.queue(QueueArguments.builder().argument("x-consumer-timeout", 1000).build())
			.build();
		CountDownLatch timedOut = new CountDownLatch(1);
		LinkedBlockingQueue<Boolean> redelivered = new LinkedBlockingQueue<>();
		AtomicInteger counted = new AtomicInteger();
		RabbitClientMetrics metrics = new RabbitClientMetrics() {
			@Override
			public void consumerTimedOut() {
				counted.incrementAndGet();
			}
		};
		try (RabbitClient client = RabbitClient.builder("slow", config).metrics(metrics).build().connect()) {
			client.subscribe((message) -> {
				redelivered.add(message.redelivered());
				if (!message.redelivered()) {
					// the slow handler: past the timeout, until the test has seen it
					timedOut.await(30, TimeUnit.SECONDS);
				}
			});
			client.send("slow work").get(10, TimeUnit.SECONDS);
			assertThat(redelivered.poll(10, TimeUnit.SECONDS)).as("first delivery").isFalse();

			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(client.status().lastConsumerTimeout()).isNotNull());
			RabbitClientStatus.ConsumerTimeout timeout = client.status().lastConsumerTimeout();
			assertThat(timeout.queue()).isEqualTo(queue);
			assertThat(timeout.timeout()).isEqualTo(Duration.ofSeconds(1));
			assertThat(timeout.reason()).contains("delivery acknowledgement").contains("timed out");
			List<ILoggingEvent> warnings = this.log.list.stream()
				.filter((event) -> event.getLevel() == Level.WARN)
				.filter((event) -> event.getFormattedMessage().contains("consumer timeout"))
				.toList();
			assertThat(warnings).hasSize(1);
			assertThat(warnings.get(0).getFormattedMessage()).contains("'" + queue + "'")
				.contains("1000 ms")
				.contains("redeliver")
				.contains("consumer_timeout")
				.contains("x-consumer-timeout")
				.doesNotContain("slow work");
			assertThat(counted).as("counted").hasValue(1);
			timedOut.countDown();

			assertThat(redelivered.poll(20, TimeUnit.SECONDS)).as("redelivered").isTrue();
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				JsonNode state = RabbitBroker.management().queue(queue).orElseThrow();
				assertThat(state.path("messages").asLong(-1)).as("ready and unacked").isZero();
			});
			assertThat(redelivered).as("handled twice, no more").isEmpty();
		}
	}

}
