package io.zephcast.sample;

import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * A RabbitMQ container, started with the application and stopped with it. zephcast reads
 * {@code zephcast.rabbit.url} rather than Spring Boot's own RabbitMQ connection details
 * ({@code @ServiceConnection}), so the container's address is handed over as that
 * property.
 */
@TestConfiguration(proxyBeanMethods = false)
class RabbitContainerConfiguration {

	@Bean
	RabbitMQContainer rabbitContainer() {
		return new RabbitMQContainer(DockerImageName.parse("rabbitmq:3.13-management"));
	}

	@Bean
	DynamicPropertyRegistrar rabbitUrl(RabbitMQContainer rabbit) {
		return (registry) -> registry.add("zephcast.rabbit.url", () -> "amqp://%s:%s@%s:%d/"
			.formatted(rabbit.getAdminUsername(), rabbit.getAdminPassword(), rabbit.getHost(), rabbit.getAmqpPort()));
	}

}
