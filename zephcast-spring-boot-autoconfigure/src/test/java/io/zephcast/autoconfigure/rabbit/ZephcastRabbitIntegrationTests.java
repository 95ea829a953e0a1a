package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Whole Spring Boot applications using the starter against the real broker: start-up,
 * shutdown, start-up failures and living beside Spring Boot's own RabbitMQ support.
 */
@ExtendWith(OutputCaptureExtension.class)
class ZephcastRabbitIntegrationTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private SpringApplicationBuilder application(Class<?> source, String... properties) {
		return new SpringApplicationBuilder(source).web(WebApplicationType.NONE)
			.properties("zephcast.rabbit.url=" + RabbitBroker.url(), "spring.main.banner-mode=off")
			.properties(properties);
	}

	@Test
	void theClientConnectsWhenTheContextStartsAndClosesWithIt() {
		String stream = this.names.stream("lifecycle");
		ConfigurableApplicationContext context = application(ZephcastOnly.class,
				"zephcast.rabbit.stream-name=" + stream)
			.run();
		RabbitClient client = context.getBean(RabbitClient.class);
		assertThat(client.isConnected()).isTrue();
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(this.broker.connectionNames()).contains(stream));
		context.close();
		assertThat(client.isConnected()).isFalse();
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(this.broker.connectionNames()).doesNotContain(stream));
	}

	@Test
	void anUnreachableBrokerFailsStartupWithOneClearReportAndNoStackTrace(CapturedOutput output) {
		assertThatException()
			.isThrownBy(
					() -> application(ZephcastOnly.class, "zephcast.rabbit.url=amqp://admin:s3cret@127.0.0.1:1/").run())
			.withStackTraceContaining("Connection refused");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Cannot connect to RabbitMQ at amqp://***@127.0.0.1:1/")
			.contains("Check zephcast.rabbit.url")
			.contains("rabbitmq-server")
			.doesNotContain("s3cret")
			.doesNotContain("\tat ");
	}

	@Test
	void withFailFastOffTheApplicationStartsWithoutTheBrokerAndConnectsWhenItComes() throws Exception {
		String queue = this.names.queue("late");
		try (TcpProxy broker = TcpProxy.forBroker();
				ConfigurableApplicationContext context = application(CountingHandler.class,
						"zephcast.rabbit.url=" + broker.url(), "zephcast.rabbit.fail-fast=false",
						"zephcast.rabbit.queue-name=" + queue)
					.run()) {
			RabbitClient client = context.getBean(RabbitClient.class);
			assertThat(client.isRunning()).isTrue();
			assertThat(client.isConnected()).isFalse();
			broker.accept();
			await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
			client.send("hello late").get(10, TimeUnit.SECONDS);
			CountingHandler handler = context.getBean(CountingHandler.class);
			await().atMost(Duration.ofSeconds(10)).until(() -> handler.consumerOf.containsKey("hello late"));
		}
	}

	@Test
	void aTopologyThatContradictsTheBrokerFailsStartupNamingTheProperty(CapturedOutput output) throws Exception {
		String queue = this.names.queue("contradiction");
		try (RabbitClient existing = new RabbitClient("existing",
				io.zephcast.rabbit.RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue).build())
			.connect()) {
			assertThat(existing.isConnected()).isTrue();
		}
		// auto-delete rather than transient: RabbitMQ 4 refuses a transient queue before
		// the broker is asked
		assertThatException().isThrownBy(() -> application(ZephcastOnly.class, "zephcast.rabbit.queue-name=" + queue,
				"zephcast.rabbit.auto-delete=true")
			.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Queue '" + queue + "' already exists on the broker with auto_delete 'false'")
			.contains("Set zephcast.rabbit.auto-delete to match");
	}

	@Test
	void aHandlerBeanWithConcurrencyThreeIsAConsumerGroupOfThree() throws Exception {
		String queue = this.names.queue("group");
		try (ConfigurableApplicationContext context = application(CountingHandler.class,
				"zephcast.rabbit.queue-name=" + queue, "zephcast.rabbit.consumer.concurrency=3")
			.run()) {
			RabbitClient client = context.getBean(RabbitClient.class);
			CountingHandler handler = context.getBean(CountingHandler.class);
			await().atMost(Duration.ofSeconds(15)).until(() -> RabbitBroker.consumers(queue) == 3);
			CompletableFuture<?>[] sends = new CompletableFuture<?>[300];
			for (int i = 0; i < sends.length; i++) {
				sends[i] = client.send("m-" + i);
			}
			CompletableFuture.allOf(sends).get(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> handler.consumerOf.size() == 300);
			assertThat(handler.duplicates).hasValue(0);
			assertThat(Set.copyOf(handler.consumerOf.values())).hasSize(3);
		}
		assertThat(RabbitBroker.readyMessages(queue)).isZero();
	}

	@Test
	void livesBesideSpringBootsRabbitSupportWithoutDeclaringOnEachOthersBroker() throws Exception {
		String vhost = "zc-boot-" + System.nanoTime();
		this.broker.createVhost(vhost, RabbitBroker.username());
		String zephcastExchange = this.names.exchange("zephcast");
		String zephcastQueue = this.names.queue("zephcast");
		try (ConfigurableApplicationContext context = application(FullApplication.class,
				RabbitBroker.springRabbitProperties(vhost))
			.properties("zephcast.rabbit.exchange-name=" + zephcastExchange, "zephcast.rabbit.exchange-type=topic",
					"zephcast.rabbit.queue-name=" + zephcastQueue, "zephcast.rabbit.routing-key=#")
			.run()) {
			RabbitTemplate template = context.getBean(RabbitTemplate.class);
			template.convertAndSend(FullApplication.BOOT_QUEUE, "from boot");
			assertThat(template.receiveAndConvert(FullApplication.BOOT_QUEUE, 10_000)).isEqualTo("from boot");

			RabbitClient client = context.getBean(RabbitClient.class);
			client.send("from zephcast").get(10, TimeUnit.SECONDS);
			RabbitMessage message = client.receive().get(10, TimeUnit.SECONDS);
			assertThat(message.text()).isEqualTo("from zephcast");
			client.ack(message);

			assertThat(this.broker.queue(vhost, FullApplication.BOOT_QUEUE)).as("Boot declares its queue").isPresent();
			assertThat(this.broker.queue("/", FullApplication.BOOT_QUEUE)).as("zephcast does not declare Boot's")
				.isEmpty();
			assertThat(this.broker.exchange("/", zephcastExchange)).as("zephcast declares its exchange").isPresent();
			assertThat(this.broker.exchange(vhost, zephcastExchange)).as("Boot does not declare zephcast's").isEmpty();
			assertThat(this.broker.queue(vhost, zephcastQueue)).isEmpty();
		}
		finally {
			this.broker.deleteVhost(vhost);
		}
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration(ZephcastRabbitAutoConfiguration.class)
	static class ZephcastOnly {

	}

	@SpringBootConfiguration
	@ImportAutoConfiguration(ZephcastRabbitAutoConfiguration.class)
	static class CountingHandler implements RabbitMessageHandler {

		final Map<String, String> consumerOf = new ConcurrentHashMap<>();

		final AtomicInteger duplicates = new AtomicInteger();

		@Override
		public void handle(RabbitMessage message) {
			if (this.consumerOf.putIfAbsent(message.text(), message.consumerTag()) != null) {
				this.duplicates.incrementAndGet();
			}
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class FullApplication {

		static final String BOOT_QUEUE = "zc-boot-only-queue";

		@Bean
		Queue bootQueue() {
			// durable: RabbitMQ 4 deprecates transient shared queues (the test's own
			// vhost
			// goes, and the queue with it)
			return new Queue(BOOT_QUEUE);
		}

	}

}
