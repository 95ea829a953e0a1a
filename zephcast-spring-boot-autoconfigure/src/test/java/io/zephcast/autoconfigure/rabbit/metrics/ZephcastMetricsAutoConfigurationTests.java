package io.zephcast.autoconfigure.rabbit.metrics;

import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zephcast.autoconfigure.rabbit.RabbitClients;
import io.zephcast.autoconfigure.rabbit.ZephcastClientBuilderCustomizer;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Wiring of {@link ZephcastMetricsAutoConfiguration}, and the meters it gives each stream
 * against the real broker.
 */
class ZephcastMetricsAutoConfigurationTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
				ZephcastMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

	@Test
	void everyStreamRecordsItsSendsDeliveriesAndConnections() {
		String orders = this.names.stream("orders");
		String payments = this.names.stream("payments");
		this.runner
			.withPropertyValues("zephcast.rabbit.stream-name=" + orders, "zephcast.rabbit.queue-name=" + orders,
					"zephcast.rabbit.streams." + payments + ".queue-name=" + payments)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				RabbitClient ordersClient = context.getBean(RabbitClient.class);
				RabbitClient paymentsClient = context.getBean(RabbitClients.class).get(payments);
				ordersClient.send("order").get(10, TimeUnit.SECONDS);
				paymentsClient.send("payment").get(10, TimeUnit.SECONDS);
				paymentsClient.ack(paymentsClient.receive().get(10, TimeUnit.SECONDS));
				await().untilAsserted(() -> {
					assertThat(registry.get("zephcast.send")
						.tags("stream", orders, "outcome", "confirmed")
						.timer()
						.count()).isOne();
					assertThat(registry.get("zephcast.send")
						.tags("stream", payments, "outcome", "confirmed")
						.timer()
						.count()).isOne();
					assertThat(registry.get("zephcast.deliveries")
						.tags("stream", payments, "outcome", "acked")
						.counter()
						.count()).isOne();
				});
				assertThat(
						registry.get("zephcast.send").tags("stream", orders, "outcome", "unroutable").timer().count())
					.isZero();
				assertThat(registry.get("zephcast.sends.pending").tags("stream", orders).gauge().value()).isZero();
				assertThat(registry.get("zephcast.deliveries.buffered").tags("stream", payments).gauge().value())
					.isZero();
				assertThat(registry.get("zephcast.consumers.running").tags("stream", payments).gauge().value()).isOne();
				// the streams share one connection factory, named after the default
				// stream
				assertThat(registry.get("rabbitmq.connections").tags("name", orders).gauge().value())
					.isGreaterThanOrEqualTo(2);
				assertThat(registry.get("rabbitmq.published").tags("name", orders).counter().count()).isEqualTo(2);
				assertThat(registry.find("spring.rabbitmq.listener").timers())
					.as("Spring's own per-delivery listener timer, which would time each delivery a second time")
					.isEmpty();
			});
	}

	@Test
	void aMessageThatCannotBeParkedIsCountedByReason() throws Exception {
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
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				RabbitClient client = context.getBean(RabbitClient.class);
				client.subscribe((message) -> {
					throw new IllegalStateException("always");
				});
				client.send("stuck").get(10, TimeUnit.SECONDS);
				// registered at the first failure: looked up leniently until then
				await().ignoreExceptions()
					.untilAsserted(() -> assertThat(registry.get("zephcast.parking.failures")
						.tags("stream", orders, "reason", "unroutable")
						.counter()
						.count()).isPositive());
				assertThat(registry.find("zephcast.parking.failures")
					.tags("stream", orders)
					.counters()
					.stream()
					.mapToDouble(Counter::count)
					.sum()).as("within the back-off of 1 s, then 2 s: no spin").isLessThanOrEqualTo(3);
			});
	}

	@Test
	void withoutAMeterRegistryThereAreNoMeters() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
					ZephcastMetricsAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ZephcastClientMeterBinder.class);
				assertThat(context).doesNotHaveBean(ZephcastClientBuilderCustomizer.class);
			});
	}

	@Test
	void theSwitchTurnsThemOff() {
		this.runner.withPropertyValues("zephcast.metrics.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ZephcastClientMeterBinder.class);
			assertThat(context).doesNotHaveBean(ZephcastConnectionMetricsCustomizer.class);
			assertThat(context.getBean(MeterRegistry.class).find("zephcast.send").meters()).isEmpty();
		});
	}

	@Test
	void withoutMicrometerOnTheClasspathThereAreNoMeters() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class,
					ZephcastMetricsAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url())
			.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ZephcastClientMeterBinder.class));
	}

	@Test
	void anApplicationsOwnBeansWin() {
		ZephcastConnectionMetricsCustomizer own = new ZephcastConnectionMetricsCustomizer(new SimpleMeterRegistry());
		this.runner.withBean(ZephcastConnectionMetricsCustomizer.class, () -> own)
			.run((context) -> assertThat(context.getBean(ZephcastConnectionMetricsCustomizer.class)).isSameAs(own));
	}

}
