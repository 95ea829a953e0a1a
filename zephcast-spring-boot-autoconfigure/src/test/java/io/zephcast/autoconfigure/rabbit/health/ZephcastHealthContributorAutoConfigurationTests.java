package io.zephcast.autoconfigure.rabbit.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Wiring of {@link ZephcastHealthContributorAutoConfiguration}, and the health it reports
 * against the real broker: reached directly, and through a proxy that refuses connections
 * (the broker "down") and accepts them again, so the broker itself is never disturbed.
 */
class ZephcastHealthContributorAutoConfigurationTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
				ZephcastHealthContributorAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

	@Test
	void oneComponentPerStreamWithWhatAnOperatorAsksFirst() {
		String orders = this.names.stream("orders");
		String payments = this.names.stream("payments");
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=" + orders, "zephcast.rabbit.queue-name=" + orders,
					"zephcast.rabbit.streams." + payments + ".consumer.concurrency=2")
			.run((context) -> {
				CompositeHealthContributor zephcast = context.getBean("zephcastHealthContributor",
						CompositeHealthContributor.class);
				assertThat(zephcast.stream().map((entry) -> entry.name())).containsExactly(orders, payments);
				context.getBean(RabbitClient.class).subscribe((message) -> {
				});
				// the broker counts a consumer once its subscription is through
				await().untilAsserted(() -> assertThat(health(zephcast, orders).getDetails()).containsEntry("queue",
						Map.of("name", orders, "messages", 0L, "consumers", 1)));
				Health ordersHealth = health(zephcast, orders);
				assertThat(ordersHealth.getStatus()).isEqualTo(Status.UP);
				assertThat(ordersHealth.getDetails())
					.containsEntry("url", RabbitConfig.builder().url(RabbitBroker.url()).build().maskedUrl())
					.containsEntry("publishing", "allowed")
					.containsEntry("consumers", Map.of("configured", 1, "running", 1))
					.containsKey("version")
					.doesNotContainKey("lastConnectionFailure");
				// the version the client read at connect is the one the broker reports
				// now
				assertThat(ordersHealth.getDetails().get("brokerVersion")).isNotNull()
					.isEqualTo(ordersHealth.getDetails().get("version"));
				Health paymentsHealth = health(zephcast, payments);
				assertThat(paymentsHealth.getStatus()).isEqualTo(Status.UP);
				assertThat(paymentsHealth.getDetails())
					.containsEntry("consumers", Map.of("configured", 0, "running", 0))
					.as("a send-only stream without a queue name declares no queue")
					.doesNotContainKey("queue");
			});
	}

	@Test
	void downWhileTheBrokerCannotBeReachedAndUpAgainWhenItCan() throws Exception {
		String stream = this.names.stream("proxied");
		try (TcpProxy proxy = TcpProxy.forBroker().accept()) {
			this.runner
				.withPropertyValues("zephcast.rabbit.url=" + proxy.url(), "zephcast.rabbit.stream-name=" + stream,
						"zephcast.rabbit.queue-name=" + stream)
				.run((context) -> {
					CompositeHealthContributor zephcast = context.getBean("zephcastHealthContributor",
							CompositeHealthContributor.class);
					context.getBean(RabbitClient.class).subscribe((message) -> {
					});
					// the consumers start asynchronously: DOWN until they run
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(health(zephcast, stream).getStatus()).isEqualTo(Status.UP));

					proxy.refuse();
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(health(zephcast, stream).getStatus()).isEqualTo(Status.DOWN));
					Health down = health(zephcast, stream);
					String error = (String) down.getDetails().get("error");
					assertThat(error).contains(RabbitConfig.builder().url(proxy.url()).build().maskedUrl());
					assertThat(down.getDetails()).containsKey("lastConnectionFailure")
						.as("the version read at connect, while the broker is down")
						.containsKey("brokerVersion");
					assertThat(down.toString()).doesNotContain(RabbitBroker.password());

					proxy.accept();
					await().atMost(Duration.ofSeconds(30))
						.untilAsserted(() -> assertThat(health(zephcast, stream).getStatus()).isEqualTo(Status.UP));
					assertThat(health(zephcast, stream).getDetails()).containsEntry("consumers",
							Map.of("configured", 1, "running", 1));
				});
		}
	}

	@Test
	void downWithTheReasonWhileAVerifiedQueueIsGoneAndUpOnceItIsBack() throws Exception {
		String stream = this.names.stream("verified");
		declareAsOperator(stream);
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=" + stream, "zephcast.rabbit.queue-name=" + stream,
					"zephcast.rabbit.declare=verify")
			.run((context) -> {
				CompositeHealthContributor zephcast = context.getBean("zephcastHealthContributor",
						CompositeHealthContributor.class);
				context.getBean(RabbitClient.class).subscribe((message) -> {
				});
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(health(zephcast, stream).getStatus()).isEqualTo(Status.UP));

				try (Connection connection = RabbitBroker.rawConnection();
						Channel channel = connection.createChannel()) {
					channel.queueDelete(stream);
				}
				await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
					Health down = health(zephcast, stream);
					assertThat(down.getStatus()).isEqualTo(Status.DOWN);
					assertThat((String) down.getDetails().get("error")).startsWith("consumer cancelled by the broker")
						.contains("queue '" + stream + "'")
						.contains("declare=verify");
					assertThat(down.getDetails().get("consumers")).asInstanceOf(InstanceOfAssertFactories.MAP)
						.containsEntry("configured", 1)
						.containsEntry("running", 0)
						.containsKey("failure");
				});

				declareAsOperator(stream);
				await().atMost(Duration.ofSeconds(15))
					.untilAsserted(() -> assertThat(health(zephcast, stream).getStatus()).isEqualTo(Status.UP));
				assertThat(health(zephcast, stream).getDetails()).containsEntry("consumers",
						Map.of("configured", 1, "running", 1));
			});
	}

	/**
	 * Declares the queue and the retry queues beside it, as an operator would have.
	 */
	private static void declareAsOperator(String queue) {
		RabbitConfig config = RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build();
		try (RabbitClient operator = new RabbitClient(queue + "-operator", config).connect()) {
			// consuming declares the retry queues too
			assertThat(operator.receive(Duration.ofMillis(1))).isEmpty();
		}
	}

	@Test
	void theSwitchTurnsItOff() {
		this.runner.withPropertyValues("management.health.zephcast.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(HealthContributor.class));
	}

	@Test
	void withoutTheHealthModuleThereIsNoContributor() {
		this.runner.withClassLoader(new FilteredClassLoader(HealthContributor.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("zephcastHealthContributor"));
	}

	@Test
	void anApplicationsOwnContributorWins() {
		HealthIndicator own = () -> Health.up().build();
		this.runner.withBean("zephcastHealthIndicator", HealthIndicator.class, () -> own)
			.run((context) -> assertThat(context).doesNotHaveBean("zephcastHealthContributor"));
	}

	@Test
	@SuppressWarnings("unchecked")
	void aMessageThatCannotBeParkedShowsInTheDetailsWithTheSettingToFix() throws Exception {
		String orders = this.names.stream("orders");
		String nowhere = this.names.exchange("nowhere");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			// exists, but routes nothing: every dead letter comes back unroutable
			channel.exchangeDeclare(nowhere, "direct", true);
		}
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=" + orders, "zephcast.rabbit.queue-name=" + orders,
					"zephcast.rabbit.queue.dead-letter-exchange=" + nowhere,
					"zephcast.rabbit.consumer.retry.max-attempts=1")
			.run((context) -> {
				CompositeHealthContributor zephcast = context.getBean("zephcastHealthContributor",
						CompositeHealthContributor.class);
				assertThat(health(zephcast, orders).getDetails()).doesNotContainKey("parkingFailures");
				RabbitClient client = context.getBean(RabbitClient.class);
				client.subscribe((message) -> {
					throw new IllegalStateException("always");
				});
				client.send("stuck").get(10, TimeUnit.SECONDS);
				await().until(() -> health(zephcast, orders).getDetails().containsKey("parkingFailures"));
				Health health = health(zephcast, orders);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				Map<String, Object> parking = (Map<String, Object>) health.getDetails().get("parkingFailures");
				assertThat(parking).containsKeys("count", "held", "lastAt");
				assertThat((long) parking.get("count")).isPositive();
				assertThat(parking.get("lastReason").toString()).contains("dead letter", nowhere,
						"zephcast.rabbit.queue.dead-letter-exchange");
			});
	}

	private static Health health(CompositeHealthContributor composite, String stream) {
		return ((HealthIndicator) composite.getContributor(stream)).health(true);
	}

}
