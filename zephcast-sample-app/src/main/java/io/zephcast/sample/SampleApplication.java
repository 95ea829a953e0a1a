package io.zephcast.sample;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The zephcast sample: publishes a batch of order events to a topic exchange and
 * processes them with a consumer group of three, then prints a summary and exits.
 * <p>
 * Everything RabbitMQ-related comes from {@code zephcast.rabbit.*} in
 * {@code application.yml}: the auto-configured {@link io.zephcast.rabbit.RabbitClient} is
 * injected into {@link OrderBatchRunner}, and the {@link OrderHandler} bean is subscribed
 * to it when the context starts.
 *
 * @see io.zephcast.sample.standalone.StandaloneClientExample the same client without
 * Spring
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	public static void main(String[] args) {
		List<String> arguments = new ArrayList<>(List.of(args));
		if (arguments.contains("--keep-running")) {
			// only an application that stays up serves /actuator/health and
			// /actuator/metrics (port 8080, or --server.port); application.yml says none
			arguments.add("--spring.main.web-application-type=servlet");
		}
		ConfigurableApplicationContext context = SpringApplication.run(SampleApplication.class,
				arguments.toArray(String[]::new));
		if (!context.getBean(OrderBatchRunner.class).keepsRunning()) {
			// a batch job: close the context (the client drains its acks) and report the
			// outcome
			System.exit(SpringApplication.exit(context));
		}
		// --keep-running: the consumers keep the application up until Ctrl+C closes it
	}

}
