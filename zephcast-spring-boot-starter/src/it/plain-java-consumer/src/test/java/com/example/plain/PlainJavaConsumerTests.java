package com.example.plain;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.SendOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The README's "Without Spring" path, from a project that has only the zephcast-rabbit artifact.
 */
class PlainJavaConsumerTests {

	@Test
	void sendsAndReceivesOneMessage() throws Exception {
		String runId = UUID.randomUUID().toString();
		String url = System.getenv().getOrDefault("ZEPHCAST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672/");
		// names unique to this check and to each run; nothing stays behind (auto-delete)
		RabbitConfig config = RabbitConfig.builder()
			.url(url)
			.exchangeName("zc-plain-consumer-check-" + runId)
			.exchangeType("topic")
			.queueName("zc-plain-consumer-check-" + runId)
			.routingKey("greetings.#")
			// durable: RabbitMQ 4 deprecates transient shared queues
			.autoDelete(true)
			.build();
		String text = "Hello from the plain Java consumer check " + runId;
		try (RabbitClient client = new RabbitClient("zephcast-plain-consumer-check", config).connect()) {
			client.send(text, SendOptions.routingKey("greetings.hello")).get(30, TimeUnit.SECONDS);
			RabbitMessage message = client.receive(Duration.ofSeconds(30))
				.orElseThrow(() -> new AssertionError("no message within 30 s"));
			client.ack(message);
			assertEquals(text, message.text());
		}
		System.out.println("zephcast consumer check (plain Java): sent and received \"" + text + "\"");
	}

}
