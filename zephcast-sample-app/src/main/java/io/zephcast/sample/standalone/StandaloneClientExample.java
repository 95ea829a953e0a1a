package io.zephcast.sample.standalone;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.sample.OrderEvent;

/**
 * The same client without Spring: built from a {@link RabbitConfig}, connected, and
 * closed by try-with-resources. It sends one order event, receives it back (pull style)
 * and acks it.
 * <p>
 * Run it from the sample's jar, with the broker URL as optional argument: <pre>
 * java -cp zephcast-sample-app/target/zephcast-sample-app-0.1.0-SNAPSHOT.jar \
 *     -Dloader.main=io.zephcast.sample.standalone.StandaloneClientExample \
 *     org.springframework.boot.loader.launch.PropertiesLauncher [amqp://localhost:5672/]
 * </pre>
 */
public final class StandaloneClientExample {

	private StandaloneClientExample() {
	}

	public static void main(String[] args) {
		String url = (args.length > 0) ? args[0]
				: System.getenv().getOrDefault("ZEPHCAST_RABBIT_URL", RabbitConfig.DEFAULT_URL);
		RabbitConfig config = RabbitConfig.builder()
			.url(url)
			.exchangeName("zc-sample-standalone")
			.exchangeType("topic")
			.queueName("zc-sample-standalone")
			// the queue takes every orders.* event; a send names its own key
			.bindingKeys(List.of("orders.#"))
			.routingKey("orders.created")
			// a demo should leave nothing behind: the queue goes with its consumer, the
			// exchange with its binding. Durable all the same: RabbitMQ 4 deprecates
			// non-durable shared queues, and the client refuses them there
			.autoDelete(true)
			.build();
		try (RabbitClient client = new RabbitClient("zc-sample-standalone", config).connect()) {
			OrderEvent order = new OrderEvent("order-0001", "created", "alice", new BigDecimal("19.90"));
			// join() returns once the broker has confirmed the order
			client.send(order, SendOptions.routingKey(order.routingKey())).join();
			System.out.println("Sent and confirmed: " + order);

			RabbitMessage message = client.receive(Duration.ofSeconds(10))
				.orElseThrow(() -> new IllegalStateException("The order did not come back within 10 seconds"));
			System.out.println("Received on " + message.routingKey() + ": " + message.bodyAs(OrderEvent.class));
			client.ack(message); // until acked, the broker would deliver it again
		}
	}

}
