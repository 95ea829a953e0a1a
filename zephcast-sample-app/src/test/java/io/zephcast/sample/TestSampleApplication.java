package io.zephcast.sample;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample against a RabbitMQ that Testcontainers starts in Docker, for those
 * without a local broker: {@code mvn -pl zephcast-sample-app spring-boot:test-run}.
 */
public class TestSampleApplication {

	public static void main(String[] args) {
		SpringApplication.from(SampleApplication::main).with(RabbitContainerConfiguration.class).run(args);
	}

}
