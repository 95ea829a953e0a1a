package io.zephcast.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.sample.RunSummary.ConsumerCount;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application's main flow against a real broker, started as {@code main}
 * starts it (without the final {@code System.exit}), on a queue and exchange of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	private final String name = "zc-sample-test-" + UUID.randomUUID().toString().substring(0, 8);

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
		RabbitBroker.delete(RabbitBroker.withClientQueues(this.name, this.name + "-payments"),
				List.of(this.name, this.name + "-payments"));
	}

	@Test
	void publishesTheBatchAndTheConsumerGroupProcessesEveryEventOnceButThePoisonWhichIsDeadLettered(
			CapturedOutput output) {
		ConfigurableApplicationContext context = run();
		RunSummary summary = context.getBean(OrderStats.class).summary();
		assertThat(SpringApplication.exit(context)).as("exit code").isZero();

		assertThat(summary.sent()).isEqualTo(20);
		assertThat(summary.confirmed()).isEqualTo(20);
		assertThat(summary.distinctProcessed()).as("events processed: all but the poison").isEqualTo(19);
		assertThat(summary.duplicates()).as("events processed twice").isZero();
		assertThat(summary.acked()).isEqualTo(19);
		assertThat(summary.perConsumer()).hasSizeBetween(1, 3);
		assertThat(summary.perConsumer().stream().mapToInt(ConsumerCount::processed).sum()).isEqualTo(19);
		assertThat(summary.failed()).as("order-0003 once, the poison on each of its 3 attempts").isEqualTo(4);
		assertThat(summary.retried()).as("order-0003's 2nd attempt, the poison's 2nd and 3rd").isEqualTo(3);
		assertThat(summary.deadLettered()).as("the poison").isOne();
		assertThat(summary.leftovers()).isZero();
		assertThat(summary.paymentsSent()).as("payments published, one per processed order").isEqualTo(19);
		assertThat(summary.paymentsProcessed()).as("payments processed on the second stream").isEqualTo(19);
		assertThat(summary.isComplete()).isTrue();

		// what it printed says the same
		assertThat(output.getOut()).containsPattern("failed\\s+order-0003 fails on its first attempt")
			.containsPattern("acked\\s+order-0003 .*attempt 2")
			.containsPattern("failed\\s+order-0007 fails on every attempt \\(simulated poison\\), attempt 3")
			.containsPattern("parked\\s+order-0007 after 3 attempts: .*SimulatedFailure: cannot price order-0007")
			.contains("Summary of run " + summary.runId() + "\n");
		assertThat(printedRow(output, "sent")).isEqualTo(20);
		assertThat(printedRow(output, "confirmed")).isEqualTo(20);
		assertThat(printedRow(output, "processed")).isEqualTo(19);
		assertThat(printedConsumerRows(output)).hasSameSizeAs(summary.perConsumer())
			.allSatisfy((processed) -> assertThat(processed).isPositive())
			.satisfies((rows) -> assertThat(rows.stream().mapToInt(Integer::intValue).sum()).isEqualTo(19));
		assertThat(printedRow(output, "failed")).isEqualTo(4);
		assertThat(printedRow(output, "retried")).isEqualTo(3);
		assertThat(printedRow(output, "dead-lettered")).isEqualTo(1);
		assertThat(printedRow(output, "acked")).isEqualTo(19);
		assertThat(printedRow(output, "payments")).isEqualTo(19);
		assertThat(printedRow(output, "paid")).isEqualTo(19);
		assertThat(output.getOut())
			.containsPattern("payments\\s+" + Pattern.quote(this.name + "-payments") + "\\s+acked\\s+order-0001");

		// and so does the broker: every event was really acked, nothing went back to the
		// queue
		assertThat(RabbitBroker.readyMessages(this.name)).isZero();
		assertThat(RabbitBroker.readyMessages(this.name + "-payments")).isZero();
		assertThat(RabbitBroker.readyMessages(this.name + ".dlq")).as("read by the dead-letters stream").isZero();
	}

	@Test
	void finishesDespiteMessagesThatAKilledRunLeftInTheQueue(CapturedOutput output) throws Exception {
		leaveMessagesOfAKilledRun();

		ConfigurableApplicationContext context = run("--sample.events=6");
		RunSummary summary = context.getBean(OrderStats.class).summary();
		assertThat(SpringApplication.exit(context)).as("exit code").isZero();

		assertThat(summary.leftovers()).isEqualTo(3);
		assertThat(summary.distinctProcessed()).isEqualTo(6);
		assertThat(summary.duplicates()).isZero();
		assertThat(summary.perConsumer().stream().mapToInt(ConsumerCount::processed).sum()).isEqualTo(6);
		assertThat(summary.retried()).as("only this run's failing event counts").isOne();
		assertThat(summary.isComplete()).isTrue();
		assertThat(printedRow(output, "leftovers")).isEqualTo(3);
		assertThat(output.getOut()).contains("killedrun-order-0003 is not from this run: skipped");
		assertThat(RabbitBroker.readyMessages(this.name)).isZero();
	}

	private ConfigurableApplicationContext run(String... sampleArgs) {
		List<String> args = new ArrayList<>(List.of("--zephcast.rabbit.url=" + RabbitBroker.url(),
				"--zephcast.rabbit.queue-name=" + this.name, "--zephcast.rabbit.exchange-name=" + this.name,
				"--zephcast.rabbit.streams.payments.queue-name=" + this.name + "-payments",
				"--zephcast.rabbit.streams.dead-letters.queue-name=" + this.name + ".dlq", "--sample.timeout=30s"));
		args.addAll(List.of(sampleArgs));
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
				args.toArray(String[]::new));
		this.contexts.add(context);
		return context;
	}

	/**
	 * What a run killed half-way leaves in the durable queue: events of its own, one of
	 * them delivered to a consumer that died before acking it (so it comes back flagged
	 * redelivered), and a message someone published by hand.
	 */
	private void leaveMessagesOfAKilledRun() throws IOException, InterruptedException, TimeoutException {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			// as the client declares it: durable, not exclusive, not auto-delete
			channel.queueDeclare(this.name, true, false, false, null);
			channel.confirmSelect();
			for (String orderId : List.of("order-0003", "order-0004")) {
				AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType("application/json")
					.deliveryMode(2)
					.messageId("killedrun-" + orderId)
					.headers(Map.of(OrderStats.RUN_HEADER, "killedrun"))
					.build();
				String json = "{\"orderId\":\"" + orderId
						+ "\",\"type\":\"created\",\"customer\":\"alice\",\"total\":1.00}";
				channel.basicPublish("", this.name, properties, json.getBytes(StandardCharsets.UTF_8));
			}
			channel.basicPublish("", this.name, new AMQP.BasicProperties.Builder().messageId("by-hand").build(),
					"hello".getBytes(StandardCharsets.UTF_8));
			channel.waitForConfirmsOrDie(10_000);
			try (Channel dying = connection.createChannel()) {
				assertThat(dying.basicGet(this.name, false)).isNotNull();
			}
		}
	}

	private static int printedRow(CapturedOutput output, String label) {
		Matcher row = Pattern.compile("(?m)^ +" + Pattern.quote(label) + " +(\\d+)").matcher(output.getOut());
		assertThat(row.find()).as("summary row '%s' in:%n%s", label, output.getOut()).isTrue();
		return Integer.parseInt(row.group(1));
	}

	private static List<Integer> printedConsumerRows(CapturedOutput output) {
		Matcher row = Pattern.compile("(?m)^ +consumer-\\d+ +(\\d+) +amq\\.ctag-").matcher(output.getOut());
		List<Integer> counts = new ArrayList<>();
		while (row.find()) {
			counts.add(Integer.parseInt(row.group(1)));
		}
		return counts;
	}

}
