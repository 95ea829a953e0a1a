package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RetryPolicy;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What {@link BrokerCompatibilityTests} and {@link RabbitMq4CompatibilityTests} do
 * against a broker given by its URL: each scenario checks what the broker's version calls
 * for (refused on RabbitMQ 4.x, warned about on 3.x) and reads the broker's truth with a
 * connection of its own. It names its queues uniquely, closes its clients and deletes
 * what it declared.
 */
public final class BrokerScenarios implements AutoCloseable {

	private static final Pattern MAJOR = Pattern.compile("^(\\d+)\\.");

	private final String url;

	private final String prefix;

	private final List<String> queues = new ArrayList<>();

	private final List<RabbitClient> clients = new ArrayList<>();

	/** Infrastructure a client was given, so does not destroy itself. */
	private final List<Runnable> destroy = new ArrayList<>();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final Connection connection;

	private final String version;

	BrokerScenarios(String url, String testName) {
		this.url = url;
		this.prefix = "zc-" + testName + "-" + UUID.randomUUID().toString().substring(0, 8);
		this.connection = rawConnection(url);
		this.version = this.connection.getServerProperties().get("version").toString();
		this.log.start();
		((Logger) LoggerFactory.getLogger(RabbitClient.class)).addAppender(this.log);
	}

	/**
	 * The broker's version, as it says at connect.
	 * @return e.g. {@code 4.0.5}
	 */
	String version() {
		return this.version;
	}

	boolean isRabbitMq4() {
		return isRabbitMq4Version(this.version);
	}

	/**
	 * Whether the broker at a URL is RabbitMQ 4.x or later, for tests whose expectation
	 * depends on it.
	 * @param url the broker's URL
	 * @return whether it says it is 4.x or later
	 */
	public static boolean isRabbitMq4(String url) {
		try (Connection connection = rawConnection(url)) {
			return isRabbitMq4Version(connection.getServerProperties().get("version").toString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean isRabbitMq4Version(String version) {
		Matcher matcher = MAJOR.matcher(version);
		return matcher.find() && Integer.parseInt(matcher.group(1)) >= 4;
	}

	RabbitConfig.Builder config(String name) {
		return RabbitConfig.builder().url(this.url).queueName(this.prefix + "-" + name);
	}

	/**
	 * A client, closed and its queues (wait queues and dead letters too) deleted after
	 * the test.
	 */
	RabbitClient client(RabbitConfig config) {
		return client(RabbitClient.builder("zc-compat", config));
	}

	RabbitClient client(RabbitClient.Builder builder) {
		RabbitClient client = builder.build();
		this.clients.add(client);
		RabbitTopology topology = RabbitTopology.of(client.streamName(), client.config());
		this.queues.add(topology.queueName());
		topology.retryQueues().waitQueues().forEach((queue) -> this.queues.add(queue.getName()));
		org.springframework.amqp.core.Queue deadLetters = topology.retryQueues().deadLetterQueue();
		if (deadLetters != null) {
			this.queues.add(deadLetters.getName());
		}
		return client;
	}

	/** A client whose listener container asks for global QoS. */
	RabbitClient globalQosClient(RabbitConfig config) {
		CachingConnectionFactory factory = RabbitConnectionFactories.create("zc-compat", config);
		DirectMessageListenerContainer container = RabbitListenerContainers.create(factory,
				RabbitTopology.of("zc-compat", config), config);
		container.setGlobalQos(true);
		container.afterPropertiesSet();
		this.destroy.add(container::destroy);
		this.destroy.add(factory::destroy);
		return client(
				RabbitClient.builder("zc-compat", config).connectionFactory(factory).listenerContainer(container));
	}

	/**
	 * Whether the queue exists on the broker (a passive declare).
	 */
	boolean queueExists(String queue) {
		try (Channel channel = this.connection.createChannel()) {
			channel.queueDeclarePassive(queue);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
		catch (TimeoutException | RuntimeException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The messages logged at WARN by the client so far. */
	List<String> warnings() {
		return this.log.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	/**
	 * On RabbitMQ 4.x: connect fails naming the setting, and nothing of the queue is
	 * declared. On 3.x: the client connects and declares, and warns once, naming the
	 * setting.
	 * @param client the client (connect declares its queue)
	 * @param setting the setting named
	 * @param named what the message says
	 */
	void assertRefusedOn4WarnedOn3(RabbitClient client, String setting, String named) {
		if (isRabbitMq4()) {
			assertThatExceptionOfType(BrokerCompatibilityException.class).isThrownBy(client::connect)
				.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(setting))
				.satisfies((ex) -> assertThat(ex.brokerVersion()).isEqualTo(this.version))
				.withMessageContaining(named)
				.withMessageContaining("RabbitMQ " + this.version);
			assertThat(queueExists(RabbitTopology.of(client.streamName(), client.config()).queueName())).isFalse();
			assertThat(client.status().brokerVersion()).contains(this.version);
		}
		else {
			client.connect();
			assertThat(queueExists(RabbitTopology.of(client.streamName(), client.config()).queueName())).isTrue();
			assertThat(warnings()).filteredOn((warning) -> warning.contains(named))
				.singleElement()
				.asString()
				.contains("RabbitMQ " + this.version + " still accepts it; RabbitMQ 4 refuses it");
		}
	}

	/**
	 * Publishes a message straight to a queue, with a connection of its own.
	 */
	void publish(String queue, Map<String, Object> headers) {
		try (Channel channel = this.connection.createChannel()) {
			channel.confirmSelect();
			channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().headers(headers).deliveryMode(2).build(),
					"body".getBytes());
			channel.waitForConfirmsOrDie(10_000);
		}
		catch (IOException | TimeoutException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The messages ready in a queue, as the broker counts them (unacked ones are not).
	 */
	long readyMessages(String queue) {
		try (Channel channel = this.connection.createChannel()) {
			return channel.queueDeclarePassive(queue).getMessageCount();
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Takes a queue's next message (and acks it), waiting for it to arrive.
	 */
	GetResponse take(String queue) {
		try (Channel channel = this.connection.createChannel()) {
			return await().atMost(Duration.ofSeconds(10))
				.until(() -> channel.basicGet(queue, true), (got) -> got != null);
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A message rejected or requeued through {@link Settlement} on a channel that records
	 * the AMQP methods called: the verb, and the broker's count of the requeue.
	 * @param queue a quorum queue holding one message
	 * @param requeue whether to requeue
	 * @return the methods called and the message's next delivery ({@code null} when
	 * dropped)
	 */
	Settled settleOneThroughDelivery(String queue, boolean requeue) throws Exception {
		Queue<String> calls = new ConcurrentLinkedQueue<>();
		try (Channel real = this.connection.createChannel()) {
			Channel recording = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(),
					new Class<?>[] { Channel.class }, (proxy, method, args) -> {
						calls.add(method.getName());
						try {
							return method.invoke(real, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getCause();
						}
					});
			GetResponse first = await().atMost(Duration.ofSeconds(10))
				.until(() -> recording.basicGet(queue, false), (got) -> got != null);
			Settlement delivery = new Settlement(this, recording, first.getEnvelope().getDeliveryTag(), () -> {
			}, DeliveryListener.NONE, null);
			calls.clear();
			delivery.nack("m-1", requeue);
			GetResponse next = null;
			if (requeue) {
				next = await().atMost(Duration.ofSeconds(10))
					.until(() -> real.basicGet(queue, true), (got) -> got != null);
			}
			else {
				next = real.basicGet(queue, true);
			}
			return new Settled(List.copyOf(calls), next);
		}
	}

	/**
	 * A message published with an {@code x-death} of 10 deaths is delivered as attempt 1,
	 * then 2, then dead-lettered by the client's own count.
	 */
	void assertXDeathIsNotCounted() {
		RabbitClient client = client(config("x-death")
			.retry(RetryPolicy.builder().maxAttempts(2).initialInterval(Duration.ofMillis(100)).build())
			.build());
		client.connect();
		Queue<Integer> attempts = new ConcurrentLinkedQueue<>();
		client.subscribe((message) -> {
			attempts.add(message.deliveryAttempt());
			throw new IllegalStateException("always fails");
		});
		String queue = RabbitTopology.of(client.streamName(), client.config()).queueName();
		publish(queue, Map.of("x-death", List.of(Map.of("count", 10L, "reason", "rejected", "queue", queue, "exchange",
				"", "routing-keys", List.of(queue)))));
		GetResponse deadLetter = take(
				RabbitTopology.of(client.streamName(), client.config()).retryQueues().deadLetterQueue().getName());
		assertThat(attempts).containsExactly(1, 2);
		assertThat(deadLetter.getProps().getHeaders()).containsEntry(MessageHeaders.ATTEMPTS, 2L);
		assertThat(deadLetter.getProps().getHeaders().get(MessageHeaders.DEAD_LETTER_REASON))
			.hasToString("attempts-exhausted");
	}

	record Settled(List<String> calls, GetResponse next) {
	}

	@Override
	public void close() {
		((Logger) LoggerFactory.getLogger(RabbitClient.class)).detachAppender(this.log);
		this.clients.forEach(RabbitClient::close);
		this.destroy.forEach(Runnable::run);
		try {
			for (String queue : this.queues) {
				try (Channel channel = this.connection.createChannel()) {
					channel.queueDelete(queue);
				}
			}
			this.connection.close();
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cleanup failed", ex);
		}
	}

	private static Connection rawConnection(String url) {
		try {
			ConnectionFactory factory = new ConnectionFactory();
			// the Java client reads a bare "/" path as the empty virtual host
			factory
				.setUri(url.endsWith(":" + URI.create(url).getPort() + "/") ? url.substring(0, url.length() - 1) : url);
			return factory.newConnection("zephcast-test-compat");
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot open a raw connection to " + AmqpUrl.mask(url), ex);
		}
	}

}
