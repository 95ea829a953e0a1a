package io.zephcast.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.internal.RabbitTopology;
import io.zephcast.rabbit.internal.RetryQueues;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;

import org.springframework.amqp.core.Queue;

/**
 * The RabbitMQ the integration tests talk to: the one {@link BrokerSettings} names (the
 * build passes RabbitMQ 4.0's; without settings,
 * {@code amqp://guest:guest@localhost:5672/}); where none answers and Docker is
 * available, one started with Testcontainers; where neither, a failure that says how to
 * start one. Never a silent skip.
 */
public final class RabbitBroker {

	public static final String DEFAULT_URL = BrokerSettings.DEFAULT_URL;

	private static Endpoint endpoint;

	private static RuntimeException failure;

	private RabbitBroker() {
	}

	/**
	 * The AMQP URL of the broker, with credentials.
	 * @return the URL
	 */
	public static String url() {
		return endpoint().amqpUrl();
	}

	/**
	 * Spring Boot's own {@code spring.rabbitmq.*} properties for this broker.
	 * @param virtualHost the virtual host
	 * @return the properties as {@code key=value} pairs
	 */
	public static String[] springRabbitProperties(String virtualHost) {
		Endpoint endpoint = endpoint();
		URI uri = URI.create(endpoint.amqpUrl());
		return new String[] { "spring.rabbitmq.host=" + uri.getHost(), "spring.rabbitmq.port=" + uri.getPort(),
				"spring.rabbitmq.username=" + endpoint.username(), "spring.rabbitmq.password=" + endpoint.password(),
				"spring.rabbitmq.virtual-host=" + virtualHost };
	}

	public static String username() {
		return endpoint().username();
	}

	/**
	 * The broker user's password, to check that it appears nowhere it must not.
	 * @return the password
	 */
	public static String password() {
		return endpoint().password();
	}

	/**
	 * The broker's RabbitMQ version, as its management API reports it.
	 * @return e.g. {@code 4.0.5}
	 */
	public static String version() {
		return management().rabbitmqVersion();
	}

	/**
	 * The major version of the broker under test, for the few expectations that differ
	 * between RabbitMQ 3.x and 4.x.
	 * @return e.g. {@code 4}
	 */
	public static int majorVersion() {
		return Integer.parseInt(version().split("\\.", 2)[0]);
	}

	/**
	 * The management HTTP API of the broker, to check what really got declared.
	 * @return the management client
	 */
	public static BrokerManagement management() {
		Endpoint endpoint = endpoint();
		return new BrokerManagement(endpoint.managementUrl(), endpoint.username(), endpoint.password());
	}

	/**
	 * A raw connection of the RabbitMQ Java client, to check queues independently of the
	 * code under test.
	 * @return a new connection; the caller closes it
	 */
	public static Connection rawConnection() {
		try {
			ConnectionFactory factory = new ConnectionFactory();
			// the Java client reads a bare "/" path as the empty virtual host; RabbitMQ's
			// default is "/"
			String url = url();
			factory
				.setUri(url.endsWith(":" + URI.create(url).getPort() + "/") ? url.substring(0, url.length() - 1) : url);
			return factory.newConnection("zephcast-test-raw");
		}
		catch (Exception ex) {
			throw new IllegalStateException("Cannot open a raw connection to " + url(), ex);
		}
	}

	/**
	 * The broker's URL as RabbitMQ's AMQP 1.0 client reads it: to that client a bare "/"
	 * path is the empty virtual host, to RabbitMQ the default one, "/".
	 * @return the URL, with the virtual host "/" spelled out when the URL's path is bare
	 */
	public static String amqp10Uri() {
		String url = url();
		URI uri = URI.create(url);
		String path = uri.getRawPath();
		if (path != null && !path.isEmpty() && !path.equals("/")) {
			return url;
		}
		try {
			return new URI(uri.getScheme(), uri.getRawAuthority(), null, null, null) + "/%2f";
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	/**
	 * Takes every ready message of a queue (acknowledged as taken), in queue order.
	 * @param queue the queue
	 * @return the messages, as the broker stored them
	 */
	public static List<GetResponse> drain(String queue) {
		List<GetResponse> messages = new ArrayList<>();
		try (Connection connection = rawConnection(); Channel channel = connection.createChannel()) {
			for (GetResponse response = channel.basicGet(queue, true); response != null; response = channel
				.basicGet(queue, true)) {
				messages.add(response);
			}
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot read queue " + queue, ex);
		}
		return messages;
	}

	/**
	 * The number of ready messages in a queue, read with a passive declare.
	 * @param queue the queue
	 * @return the ready message count
	 */
	public static long readyMessages(String queue) {
		try (Connection connection = rawConnection(); Channel channel = connection.createChannel()) {
			return channel.queueDeclarePassive(queue).getMessageCount();
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot read queue " + queue, ex);
		}
	}

	/**
	 * The number of consumers on a queue, read with a passive declare.
	 * @param queue the queue
	 * @return the consumer count
	 */
	public static int consumers(String queue) {
		try (Connection connection = rawConnection(); Channel channel = connection.createChannel()) {
			return channel.queueDeclarePassive(queue).getConsumerCount();
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot read queue " + queue, ex);
		}
	}

	/**
	 * The queues a client consuming from each of these declares with the default retry
	 * policy: the queue, its retry wait queues and its dead-letter queue, named by the
	 * client's own topology, so that a test deletes everything it left.
	 * @param queues queue names
	 * @return the names to delete
	 */
	public static List<String> withClientQueues(String... queues) {
		List<String> names = new ArrayList<>();
		for (String queue : queues) {
			RetryQueues retry = RabbitTopology.of(queue, RabbitConfig.builder().queueName(queue).build()).retryQueues();
			names.add(queue);
			retry.waitQueues().forEach((wait) -> names.add(wait.getName()));
			Queue deadLetters = retry.deadLetterQueue();
			if (deadLetters != null) {
				names.add(deadLetters.getName());
			}
		}
		return names;
	}

	/**
	 * Deletes queues and exchanges a test made; missing ones are fine.
	 * @param queues queue names
	 * @param exchanges exchange names
	 */
	public static void delete(Iterable<String> queues, Iterable<String> exchanges) {
		try (Connection connection = rawConnection()) {
			for (String queue : queues) {
				try (Channel channel = connection.createChannel()) {
					channel.queueDelete(queue);
				}
			}
			for (String exchange : exchanges) {
				try (Channel channel = connection.createChannel()) {
					channel.exchangeDelete(exchange);
				}
			}
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cleanup failed", ex);
		}
	}

	private static synchronized Endpoint endpoint() {
		if (endpoint != null) {
			return endpoint;
		}
		if (failure != null) {
			throw failure;
		}
		String url = BrokerSettings.url();
		URI uri = URI.create(url);
		int port = (uri.getPort() != -1) ? uri.getPort() : 5672;
		if (answers(uri.getHost(), port)) {
			String userInfo = (uri.getUserInfo() != null) ? uri.getUserInfo() : "guest:guest";
			String[] credentials = userInfo.split(":", 2);
			endpoint = new Endpoint(url, BrokerSettings.managementUrl(), credentials[0], credentials[1]);
			return endpoint;
		}
		if (dockerAvailable()) {
			RabbitMQContainer container = new RabbitMQContainer("rabbitmq:4.0-management");
			container.start();
			endpoint = new Endpoint(container.getAmqpUrl(), container.getHttpUrl(), container.getAdminUsername(),
					container.getAdminPassword());
			return endpoint;
		}
		failure = new IllegalStateException("No RabbitMQ answers at " + uri.getHost() + ":" + port
				+ " (zephcast.test.broker.url or ZEPHCAST_RABBIT_URL) and Docker is not available to start one. Start RabbitMQ with "
				+ "'apt-get install rabbitmq-server && rabbitmq-server -detached && rabbitmq-plugins enable "
				+ "rabbitmq_management', or 'docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management', "
				+ "or point zephcast.test.broker.url at a broker. 'bash .ci/run' starts RabbitMQ 3.10 on 5672 "
				+ "and 4.0 on 5690 (.ci/rabbitmq4-up), which the build tests by default.");
		throw failure;
	}

	private static boolean answers(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private record Endpoint(String amqpUrl, String managementUrl, String username, String password) {
	}

}
