package io.zephcast.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The real broker the sample's tests run against, {@code ZEPHCAST_RABBIT_URL} or the
 * local one, and a raw RabbitMQ client connection to it: to prepare a queue, to read what
 * the broker itself holds, and to clean up. A missing broker is a failure that says how
 * to start one, never a silent skip.
 */
final class SampleBroker {

	private SampleBroker() {
	}

	static String url() {
		String url = System.getenv("ZEPHCAST_RABBIT_URL");
		return (url != null && !url.isBlank()) ? url : "amqp://guest:guest@localhost:5672/";
	}

	static Connection connect() {
		URI uri = URI.create(url());
		int port = (uri.getPort() != -1) ? uri.getPort() : 5672;
		if (!answers(uri.getHost(), port)) {
			throw new IllegalStateException("No RabbitMQ answers at " + uri.getHost() + ":" + port
					+ " (ZEPHCAST_RABBIT_URL): the sample's tests need a real broker. Start one with 'sudo apt-get "
					+ "install -y rabbitmq-server' or 'docker run -d -p 5672:5672 rabbitmq:3-management'.");
		}
		try {
			ConnectionFactory factory = new ConnectionFactory();
			factory.setHost(uri.getHost());
			factory.setPort(port);
			String userInfo = (uri.getUserInfo() != null) ? uri.getUserInfo() : "guest:guest";
			factory.setUsername(userInfo.split(":", 2)[0]);
			factory.setPassword(userInfo.split(":", 2)[1]);
			// the Java client reads a bare "/" path as the empty virtual host; RabbitMQ's
			// default is "/"
			String path = uri.getPath();
			factory.setVirtualHost((path == null || path.length() <= 1) ? "/" : path.substring(1));
			return factory.newConnection("zc-sample-test-raw");
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot open a raw connection to " + uri.getHost() + ":" + port, ex);
		}
	}

	/**
	 * The messages in a queue that no consumer holds, read with a passive declare. Once
	 * the sample has closed its client, anything it left unacked is counted here too.
	 * @param queue the queue
	 * @return the ready message count
	 */
	static long readyMessages(String queue) {
		try (Connection connection = connect(); Channel channel = connection.createChannel()) {
			return channel.queueDeclarePassive(queue).getMessageCount();
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot read queue " + queue, ex);
		}
	}

	/**
	 * Whether a queue exists, by a passive declare: the broker answers one for a missing
	 * queue by closing the channel.
	 * @param queue the queue
	 * @return whether it exists
	 */
	static boolean queueExists(String queue) {
		try (Connection connection = connect()) {
			Channel channel = connection.createChannel();
			try {
				channel.queueDeclarePassive(queue);
				channel.close();
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot look for queue " + queue, ex);
		}
	}

	/**
	 * Deletes a queue and an exchange a test made; missing ones are fine.
	 * @param queue the queue
	 * @param exchange the exchange
	 */
	static void delete(String queue, String exchange) {
		try (Connection connection = connect(); Channel channel = connection.createChannel()) {
			channel.queueDelete(queue);
			channel.exchangeDelete(exchange);
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cannot delete " + queue + " and " + exchange, ex);
		}
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

}
