package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.zephcast.test.TcpProxy;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An AMQP 1.0 client that starts consuming while its connection is lost, which the AMQP
 * 1.0 client recovers (it opens no link meanwhile): the consumers start once it is back.
 * The interleaving {@code ConnectionRecoveryTests.iterationGoesOnAcrossAConnectionLoss}
 * meets by chance, forced. (Over AMQP 0-9-1 the same call fails at once with
 * {@link RabbitConnectionException} while the broker cannot be reached.) Cuts
 * connections: run under {@code flock -x}.
 */
class Amqp10ConnectionLossTests {

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private TcpProxy proxy;

	@BeforeEach
	void setUp() throws Exception {
		this.proxy = TcpProxy.forBroker().accept();
	}

	@AfterEach
	void tearDown() throws Exception {
		this.proxy.close();
	}

	@Test
	void anIterationStartedWhileTheConnectionIsDownBeginsOnceItIsBack() throws Exception {
		RabbitConfig config = RabbitConfig.builder()
			.url(this.proxy.url())
			.protocol(Protocol.AMQP_1_0)
			.queueName(this.names.queue("iterate-down"))
			.build();
		try (RabbitClient client = new RabbitClient(this.names.stream("iterate-down"), config).connect()) {
			this.proxy.refuse();
			await().atMost(Duration.ofSeconds(30)).until(() -> client.status().lastConnectionFailure() != null);

			Iterator<RabbitMessage> iteration = client.iterator();
			CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> iteration.next().text());
			this.proxy.accept();
			// as an application resending failed sends would
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				client.send("after").get(5, TimeUnit.SECONDS);
				return true;
			});
			assertThat(first).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("after");
		}
	}

}
