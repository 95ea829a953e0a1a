package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.test.BrokerManagement;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several streams in one application against the real broker. Handlers only record; every
 * assertion runs on the test thread once a latch says the messages are in.
 */
class ZephcastStreamsBrokerTests {

	private static final int PER_STREAM = 5;

	@RegisterExtension
	final TestTopology names = new TestTopology();

	private final BrokerManagement broker = RabbitBroker.management();

	private ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
		.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url());

	/** Registers a handler bean bound to a stream, or to the default stream. */
	private void handler(String beanName, String stream, RabbitMessageHandler handler) {
		this.runner = this.runner.withBean(beanName, RabbitMessageHandler.class, () -> handler, (definition) -> {
			if (stream != null) {
				((AbstractBeanDefinition) definition)
					.addQualifier(new AutowireCandidateQualifier(Qualifier.class, stream));
			}
		});
	}

	@Test
	void theDefaultStreamAndFourNamedOnesEachReceiveExactlyTheirOwnMessages() throws Exception {
		String defaultStream = this.names.stream("default");
		String direct = this.names.stream("direct");
		String topic = this.names.stream("topic");
		String fanout = this.names.stream("fanout");
		String headers = this.names.stream("headers");
		this.runner = this.runner.withPropertyValues("zephcast.rabbit.stream-name=" + defaultStream,
				stream(direct, "exchange-name", this.names.exchange("direct")),
				stream(direct, "exchange-type", "direct"), stream(topic, "exchange-name", this.names.exchange("topic")),
				stream(topic, "exchange-type", "topic"), stream(topic, "routing-key", "prices.#"),
				stream(fanout, "exchange-name", this.names.exchange("fanout")),
				stream(fanout, "exchange-type", "fanout"),
				stream(headers, "exchange-name", this.names.exchange("headers")),
				stream(headers, "exchange-type", "headers"));
		List<String> streams = List.of(defaultStream, direct, topic, fanout, headers);
		Map<String, List<String>> received = new ConcurrentHashMap<>();
		CountDownLatch all = new CountDownLatch(streams.size() * PER_STREAM);
		for (String stream : streams) {
			List<String> texts = new CopyOnWriteArrayList<>();
			received.put(stream, texts);
			handler("handler-" + stream, stream.equals(defaultStream) ? null : stream, (message) -> {
				texts.add(message.text());
				all.countDown();
			});
		}
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClients clients = context.getBean(RabbitClients.class);
			assertThat(clients.names()).containsExactlyElementsOf(streams);
			for (String stream : streams) {
				RabbitClient client = clients.get(stream);
				for (int i = 0; i < PER_STREAM; i++) {
					SendOptions options = stream.equals(topic) ? SendOptions.routingKey("prices.eu.up")
							: SendOptions.none();
					client.send(stream + "#" + i, options).get(10, TimeUnit.SECONDS);
				}
			}
			assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
			for (String stream : streams) {
				List<String> expected = new ArrayList<>();
				for (int i = 0; i < PER_STREAM; i++) {
					expected.add(stream + "#" + i);
				}
				assertThat(received.get(stream)).as(stream).containsExactlyElementsOf(expected);
			}
		});
	}

	@Test
	void handlersOnTwoStreamsRunWithTheirOwnConcurrency() throws Exception {
		String single = this.names.stream("single");
		String triple = this.names.stream("triple");
		this.runner = this.runner.withPropertyValues("zephcast.rabbit.stream-name=" + single,
				stream(triple, "consumer.concurrency", "3"));
		Concurrency singleSeen = new Concurrency(1);
		Concurrency tripleSeen = new Concurrency(3);
		handler("single", null, singleSeen::handle);
		handler("triple", triple, tripleSeen::handle);
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClients clients = context.getBean(RabbitClients.class);
			for (int i = 0; i < 3; i++) {
				clients.get(single).send("s" + i).get(10, TimeUnit.SECONDS);
				clients.get(triple).send("t" + i).get(10, TimeUnit.SECONDS);
			}
			assertThat(singleSeen.done.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(tripleSeen.done.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(singleSeen.max.get()).isEqualTo(1);
			assertThat(tripleSeen.max.get()).isEqualTo(3);
			assertThat(RabbitBroker.consumers(single)).isEqualTo(1);
			assertThat(RabbitBroker.consumers(triple)).isEqualTo(3);
		});
	}

	@Test
	void tenStreamsInOneApplicationHoldAtMostTwoConnections() throws Exception {
		String defaultStream = this.names.stream("ten");
		List<String> streams = new ArrayList<>(List.of(defaultStream));
		List<String> properties = new ArrayList<>(List.of("zephcast.rabbit.stream-name=" + defaultStream));
		for (int i = 1; i < 10; i++) {
			String stream = this.names.stream("ten" + i);
			streams.add(stream);
			// a property of its own makes it a stream
			properties.add(stream(stream, "consumer.concurrency", "1"));
		}
		this.runner = this.runner.withPropertyValues(properties.toArray(String[]::new));
		CountDownLatch all = new CountDownLatch(streams.size());
		for (String stream : streams) {
			handler("handler-" + stream, stream.equals(defaultStream) ? null : stream, (message) -> all.countDown());
		}
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			RabbitClients clients = context.getBean(RabbitClients.class);
			assertThat(clients).hasSize(10);
			for (RabbitClient client : clients) {
				client.send("hello").get(10, TimeUnit.SECONDS);
			}
			assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
			// the management API refreshes its connection list every few seconds
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				List<String> ours = this.broker.connectionNames()
					.stream()
					.filter((name) -> name.startsWith(this.names.stream("").replaceAll("-s-$", "")))
					.toList();
				assertThat(ours).containsExactlyInAnyOrder(defaultStream, defaultStream + ".publisher");
			});
		});
	}

	private static String stream(String stream, String key, String value) {
		return "zephcast.rabbit.streams." + stream + "." + key + "=" + value;
	}

	/**
	 * Records how many handlers run at once; each waits (bounded) until the expected
	 * number run together, so that a lower concurrency shows as a lower maximum.
	 */
	private static final class Concurrency {

		private final AtomicInteger active = new AtomicInteger();

		private final AtomicInteger max = new AtomicInteger();

		private final CountDownLatch together;

		private final CountDownLatch done = new CountDownLatch(3);

		Concurrency(int expected) {
			this.together = new CountDownLatch(expected);
		}

		void handle(io.zephcast.rabbit.RabbitMessage message) throws InterruptedException {
			int now = this.active.incrementAndGet();
			this.max.accumulateAndGet(now, Math::max);
			this.together.countDown();
			this.together.await(5, TimeUnit.SECONDS);
			this.active.decrementAndGet();
			this.done.countDown();
		}

	}

}
