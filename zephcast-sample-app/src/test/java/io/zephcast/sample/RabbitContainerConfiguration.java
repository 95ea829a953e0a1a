package io.zephcast.sample;

import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * A RabbitMQ container, started with the application and stopped with it.
 * {@code @ServiceConnection} hands its address and login to zephcast (through
 * {@code ZephcastRabbitConnectionDetails}): the default stream and every stream without a
 * URL of its own connect to it.
 */
@TestConfiguration(proxyBeanMethods = false)
class RabbitContainerConfiguration {

	@Bean
	@ServiceConnection
	RabbitMQContainer rabbitContainer() {
		return new RabbitMQContainer(DockerImageName.parse("rabbitmq:3.13-management"));
	}

}
