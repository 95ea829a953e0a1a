package com.example.consumer;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.SendOptions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the application (the starter connects and subscribes the handler), sends one message and
 * waits for the handler to get it.
 */
@SpringBootTest
class ConsumerApplicationTests {

	private static final String RUN_ID = UUID.randomUUID().toString();

	@DynamicPropertySource
	static void runId(DynamicPropertyRegistry registry) {
		registry.add("check.run-id", () -> RUN_ID);
	}

	@Autowired
	RabbitClient client;

	@Autowired
	GreetingHandler handler;

	@Test
	void sendsAndReceivesOneMessage() throws Exception {
		String text = "Hello from the consumer check " + RUN_ID;
		this.client.send(text, SendOptions.routingKey("greetings.hello")).get(30, TimeUnit.SECONDS);

		RabbitMessage message = this.handler.received().poll(30, TimeUnit.SECONDS);

		assertThat(message).as("message received by the handler within 30 s").isNotNull();
		assertThat(message.text()).isEqualTo(text);
		assertThat(message.queue()).isEqualTo("zc-consumer-check-" + RUN_ID);
		assertThat(message.routingKey()).isEqualTo("greetings.hello");
		System.out.println("zephcast consumer check (Spring Boot): sent and received \"" + message.text() + "\"");
	}

}
