package io.zephcast.quickstart;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** Sends three messages through RabbitMQ, handles them, exits once all are handled. */
@SpringBootApplication
public class QuickstartApplication {

	private static final int MESSAGES = 3;

	private final CountDownLatch handled = new CountDownLatch(MESSAGES);

	/**
	 * Runs the quickstart; it exits with 0 once the handler has seen every message.
	 * @param args Spring Boot arguments, e.g. {@code --zephcast.rabbit.url=amqp://...}
	 */
	public static void main(String[] args) {
		System.exit(SpringApplication.exit(SpringApplication.run(QuickstartApplication.class, args)));
	}

	// subscribed when the context starts: returning acks the message, throwing retries it
	@Bean
	RabbitMessageHandler handler() {
		return (message) -> {
			System.out.println("Handled: " + message.text());
			this.handled.countDown();
		};
	}

	// runs once the context has started: the client is connected, the handler subscribed
	@Bean
	ApplicationRunner sender(RabbitClient client) {
		return (args) -> {
			for (int i = 1; i <= MESSAGES; i++) {
				// send returns a future: join() waits until the broker has confirmed it
				client.send("Hello #" + i).join();
				System.out.println("Sent:    Hello #" + i);
			}
			if (!this.handled.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Not every message was handled within 30 seconds");
			}
		};
	}

}
