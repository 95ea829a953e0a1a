package io.zephcast.rabbit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Connecting over AMQP 1.0: to RabbitMQ 3.10 (which does not speak it as RabbitMQ 4 does:
 * the clear failure, nothing left open), to no broker, with a wrong password.
 */
class Amqp10ConnectionTests {

	/** RabbitMQ 3.10, beside the 4.0 broker under test. */
	private static final String RABBITMQ_3_URL = System.getProperty("zephcast.test.rabbitmq3.url",
			"amqp://guest:guest@127.0.0.1:5672/");

	private static final String RABBITMQ_3_MANAGEMENT = System.getProperty("zephcast.test.rabbitmq3.management-url",
			"http://127.0.0.1:15672");

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void connectToRabbitMq3FailsNamingTheProtocolSettingAndLeavesNoConnection() throws Exception {
		assertThat(get("/api/overview")).contains("\"rabbitmq_version\":\"3.");
		String stream = this.names.stream("on-3");
		RabbitConfig config = RabbitConfig.builder().url(RABBITMQ_3_URL).protocol(Protocol.AMQP_1_0).build();
		// only the threads this connect starts: the suite's other AMQP 1.0 clients may
		// still be ending theirs
		Set<Thread> before = amqp10Threads();
		RabbitClient client = new RabbitClient(stream, config);
		assertThatExceptionOfType(BrokerCompatibilityException.class).isThrownBy(client::connect)
			.withMessageContaining("protocol")
			.withMessageContaining("RabbitMQ 4.0 or later")
			.withMessageNotContaining("guest:guest")
			.satisfies((failure) -> assertThat(failure.setting()).isEqualTo("protocol"));
		assertThat(client.isConnected()).isFalse();
		assertThat(client.status().lastConnectionFailure()).isNotNull();
		Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !get("/api/connections").contains(stream));
		// the AMQP 1.0 client's I/O and event-loop threads end with the environment
		// on a timeout, AssertJ's message names the threads left
		Awaitility.await()
			.atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(amqp10Threads()).as("threads the failed connect left").isSubsetOf(before));
		client.close();
	}

	/** The AMQP 1.0 client's I/O and event-loop threads now alive. */
	private static Set<Thread> amqp10Threads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("ClientConnection")
					|| thread.getName().startsWith("rabbitmq-amqp-"))
			.collect(Collectors.toSet());
	}

	@Test
	void unreachableBrokerFailsWithRabbitConnectionException() {
		RabbitConfig config = RabbitConfig.builder()
			.url("amqp://someone:s3cret-pw@127.0.0.1:1/")
			.protocol(Protocol.AMQP_1_0)
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("nowhere"), config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageContaining("127.0.0.1:1")
				.withMessageNotContaining("s3cret-pw");
			assertThat(client.isConnected()).isFalse();
		}
	}

	@Test
	void wrongPasswordFailsWithRabbitConnectionExceptionWithoutThePassword() {
		URI broker = URI.create(RabbitBroker.url());
		RabbitConfig config = RabbitConfig.builder()
			.url("amqp://guest:not-the-pw-42@" + broker.getHost() + ":" + broker.getPort() + "/")
			.protocol(Protocol.AMQP_1_0)
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("bad-login"), config)) {
			assertThatExceptionOfType(RabbitConnectionException.class).isThrownBy(client::connect)
				.withMessageNotContaining("not-the-pw-42");
		}
	}

	@Test
	void connectsToTheAddressesWithTheUrlsLoginAndNamesTheConnectionAfterTheStream() throws Exception {
		URI broker = URI.create(RabbitBroker.url());
		String stream = this.names.stream("addresses");
		RabbitConfig config = RabbitConfig.builder()
			.url(RabbitBroker.url())
			.addresses(broker.getHost() + ":" + broker.getPort())
			.protocol(Protocol.AMQP_1_0)
			.queueName(this.names.queue("addresses"))
			.build();
		try (RabbitClient client = new RabbitClient(stream, config).connect()) {
			client.send("via addresses").get(10, java.util.concurrent.TimeUnit.SECONDS);
			Awaitility.await()
				.atMost(Duration.ofSeconds(15))
				.until(() -> RabbitBroker.management().connection(stream).isPresent());
			assertThat(RabbitBroker.management().connection(stream).orElseThrow().get("vhost").asString())
				.isEqualTo("/");
		}
	}

	private static String get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(RABBITMQ_3_MANAGEMENT + path))
			.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

}
