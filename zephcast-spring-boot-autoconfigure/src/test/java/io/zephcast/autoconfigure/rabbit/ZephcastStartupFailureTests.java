package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * A Spring Boot application whose start-up fails against the real broker leaves nothing
 * behind: no connection on the broker, no thread of the client.
 */
class ZephcastStartupFailureTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void aStartupThatFailsLeavesNoConnectionAndNoThread() throws Exception {
		String stream = this.names.stream("failed-startup");
		String queue = this.names.queue("failed-startup");
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false, Map.of());
		}
		int amqpThreadsBefore = threadsNamed("AMQP Connection").size();
		for (int i = 0; i < 3; i++) {
			assertThatException()
				.isThrownBy(() -> new SpringApplicationBuilder(ZephcastOnly.class).web(WebApplicationType.NONE)
					.properties("zephcast.rabbit.url=" + RabbitBroker.url(), "spring.main.banner-mode=off",
							"zephcast.rabbit.stream-name=" + stream, "zephcast.rabbit.queue-name=" + queue,
							"zephcast.rabbit.durable=false")
					.run())
				.withStackTraceContaining("durable");
		}
		await().atMost(Duration.ofSeconds(15))
			.alias("no connection left open on the broker")
			.until(() -> RabbitBroker.management().countConnections(stream) == 0);
		await().atMost(Duration.ofSeconds(10))
			.alias("no thread of the client left")
			.until(() -> threadsNamed("zephcast-" + stream + "-").isEmpty());
		await().atMost(Duration.ofSeconds(10))
			.alias("no amqp-client connection thread left")
			.until(() -> threadsNamed("AMQP Connection").size() <= amqpThreadsBefore);
	}

	private static List<Thread> threadsNamed(String prefix) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith(prefix))
			.toList();
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration(ZephcastRabbitAutoConfiguration.class)
	static class ZephcastOnly {

	}

}
