package io.zephcast.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The zephcast sample: publishes a batch of order events to a topic exchange and
 * processes them with a consumer group of three, then prints a summary and exits.
 * <p>
 * Everything RabbitMQ-related comes from {@code zephcast.rabbit.*} in
 * {@code application.yml}, what the sample does from {@code sample.*}: the
 * auto-configured {@link io.zephcast.rabbit.RabbitClient} is injected into
 * {@link OrderBatchRunner}, and the {@link OrderHandler} bean is subscribed to it when
 * the context starts.
 *
 * @see io.zephcast.sample.standalone.StandaloneClientExample the same client without
 * Spring
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	/**
	 * Runs the batch and exits with its outcome, or keeps consuming with the
	 * {@code keep-running} profile.
	 * @param args Spring Boot arguments, e.g. {@code --sample.events=50}
	 */
	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class, args);
		if (!context.getBean(SampleProperties.class).keepRunning()) {
			// a batch job: close the context (the client drains its acks) and report the
			// outcome
			System.exit(SpringApplication.exit(context));
		}
		// keep-running: the consumers (and the web server for /actuator) keep the
		// application up until Ctrl+C closes it
	}

}
