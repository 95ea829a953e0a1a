package io.zephcast.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.zephcast.test.BrokerControl;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's actuator over real HTTP, as an operator or a Kubernetes probe sees it:
 * {@code /actuator/health} shows each zephcast stream, {@code /actuator/metrics} the
 * sends, and health goes DOWN while the RabbitMQ application is stopped
 * ({@code rabbitmqctl stop_app}) and UP again by itself once it runs. Stopping the broker
 * disturbs every other test on it for a few seconds: this is the one test that does.
 */
class SampleActuatorTests {

	private final String name = "zc-sample-actuator-" + UUID.randomUUID().toString().substring(0, 8);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final JsonMapper json = JsonMapper.builder().build();

	private ConfigurableApplicationContext context;

	@AfterEach
	void cleanUp() {
		if (this.context != null) {
			this.context.close();
		}
		RabbitBroker.delete(RabbitBroker.withClientQueues(this.name, this.name + "-payments"), List.of(this.name));
	}

	@Test
	void healthShowsTheStreamsAndFollowsTheBrokerDownAndUpAndMetricsShowTheSends() throws Exception {
		this.context = SpringApplication.run(SampleApplication.class, "--zephcast.rabbit.url=" + RabbitBroker.url(),
				"--zephcast.rabbit.queue-name=" + this.name, "--zephcast.rabbit.exchange-name=" + this.name,
				"--zephcast.rabbit.streams.payments.queue-name=" + this.name + "-payments",
				"--zephcast.rabbit.streams.dead-letters.queue-name=" + this.name + ".dlq", "--sample.events=5",
				"--spring.profiles.active=keep-running", "--server.port=0");
		String base = "http://localhost:" + this.context.getEnvironment().getProperty("local.server.port");

		JsonNode health = await().atMost(Duration.ofSeconds(10))
			.until(() -> get(base + "/actuator/health"), (body) -> body.path("status").asString().equals("UP"));
		JsonNode streams = health.path("components").path("zephcast").path("components");
		assertThat(streams.propertyNames()).containsExactlyInAnyOrder("zephcast-sample", "payments", "dead-letters");
		JsonNode orders = streams.path("zephcast-sample");
		assertThat(orders.path("status").asString()).isEqualTo("UP");
		assertThat(orders.path("details").path("consumers").path("running").asInt()).isEqualTo(3);
		assertThat(orders.path("details").path("queue").path("name").asString()).isEqualTo(this.name);
		assertThat(orders.path("details").path("url").asString()).doesNotContain(RabbitBroker.password());

		JsonNode sends = get(base + "/actuator/metrics/zephcast.send?tag=stream:zephcast-sample&tag=outcome:confirmed");
		assertThat(sends.path("measurements").get(0).path("statistic").asString()).isEqualTo("COUNT");
		assertThat(sends.path("measurements").get(0).path("value").asDouble()).isEqualTo(5.0);

		try {
			BrokerControl.stopApp();
			JsonNode down = await().atMost(Duration.ofSeconds(30))
				.until(() -> get(base + "/actuator/health"), (body) -> body.path("status").asString().equals("DOWN"));
			JsonNode downOrders = down.path("components").path("zephcast").path("components").path("zephcast-sample");
			assertThat(downOrders.path("status").asString()).isEqualTo("DOWN");
			assertThat(downOrders.path("details").path("error").asString()).contains("Cannot reach RabbitMQ at");
			assertThat(down.toString()).doesNotContain(RabbitBroker.password());
		}
		finally {
			BrokerControl.startApp();
		}
		JsonNode up = await().atMost(Duration.ofSeconds(60))
			.until(() -> get(base + "/actuator/health"), (body) -> body.path("status").asString().equals("UP"));
		assertThat(up.path("components")
			.path("zephcast")
			.path("components")
			.path("zephcast-sample")
			.path("details")
			.path("lastConnectionFailure")
			.path("reason")
			.asString()).isNotEmpty();
	}

	private JsonNode get(String url) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
				HttpResponse.BodyHandlers.ofString());
		return this.json.readTree(response.body());
	}

}
