package io.zephcast.autoconfigure.rabbit.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.autoconfigure.rabbit.metrics.ZephcastMetricsAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A handler held a message past its queue's consumer timeout: the health shows it as a
 * detail and stays UP (the consumer is restarted, the message redelivered), and the
 * {@code zephcast.consumer.timeouts} counter counts it. The queue gets a 1 s
 * {@code x-consumer-timeout}; the broker's {@code channel_tick_interval}, how often it
 * checks, is lowered to 200 ms for the test's channels and restored after (run under
 * {@code flock -x /tmp/zephcast-broker.lock}). Skipped before RabbitMQ 3.12.
 */
class ConsumerTimeoutHealthTests {

	private static final String TICK = "channel_tick_interval";

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
				ZephcastHealthContributorAutoConfiguration.class, ZephcastMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

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
		this.tickBefore = current.startsWith("{ok,") ? current.substring(4, current.length() - 1) : "60000";
		BrokerControl.rabbitmqctl("eval", "application:set_env(rabbit, " + TICK + ", 200).");
	}

	@AfterEach
	void restoreTicks() {
		if (this.tickBefore != null) {
			BrokerControl.rabbitmqctl("eval", "application:set_env(rabbit, " + TICK + ", " + this.tickBefore + ").");
		}
	}

	@Test
	@SuppressWarnings("unchecked")
	void aConsumerTimeoutShowsInTheHealthDetailsAndIsCounted() {
		String orders = this.names.stream("orders");
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=" + orders, "zephcast.rabbit.queue-name=" + orders,
					"zephcast.rabbit.queue.arguments[x-consumer-timeout]=1000")
			.run((context) -> {
				CompositeHealthContributor zephcast = context.getBean("zephcastHealthContributor",
						CompositeHealthContributor.class);
				assertThat(health(zephcast, orders).getDetails()).doesNotContainKey("lastConsumerTimeout");
				RabbitClient client = context.getBean(RabbitClient.class);
				CountDownLatch seen = new CountDownLatch(1);
				client.subscribe((message) -> {
					if (!message.redelivered()) {
						seen.await(30, TimeUnit.SECONDS);
					}
				});
				try {
					client.send("slow").get(10, TimeUnit.SECONDS);
					await().atMost(Duration.ofSeconds(20))
						.until(() -> health(zephcast, orders).getDetails().containsKey("lastConsumerTimeout"));
				}
				finally {
					seen.countDown();
				}
				Health health = health(zephcast, orders);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				Map<String, Object> timeout = (Map<String, Object>) health.getDetails().get("lastConsumerTimeout");
				assertThat(timeout).containsEntry("queue", orders).containsEntry("timeoutMs", 1000L).containsKey("at");
				assertThat(timeout.get("reason").toString()).contains("delivery acknowledgement", "timed out");
				assertThat(context.getBean(MeterRegistry.class)
					.get("zephcast.consumer.timeouts")
					.tags("stream", orders)
					.counter()
					.count()).isEqualTo(1);
			});
	}

	private static Health health(CompositeHealthContributor composite, String stream) {
		return ((HealthIndicator) composite.getContributor(stream)).health(true);
	}

}
