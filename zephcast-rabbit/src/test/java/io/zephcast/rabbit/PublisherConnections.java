package io.zephcast.rabbit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import com.rabbitmq.client.Channel;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.connection.SimpleConnection;

/**
 * Connection factories for tests that need the publisher's connection to be in a given
 * state at a given moment: the client's real factory for everything, but a publisher
 * connection chosen by the test. Every connection is a real one to the test broker.
 */
final class PublisherConnections implements ConnectionFactory {

	private final CachingConnectionFactory main;

	private final ConnectionFactory publisher;

	private PublisherConnections(CachingConnectionFactory main, ConnectionFactory publisher) {
		this.main = main;
		this.publisher = publisher;
	}

	/**
	 * The client's own factory, whose publisher connection comes from the supplier.
	 * @param streamName the client's stream name
	 * @param config the client's configuration
	 * @param publisherConnection each call opens (or hands out) the publisher connection
	 * @return the factory; {@link #destroy()} it after the client is closed
	 */
	static PublisherConnections of(String streamName, RabbitConfig config,
			Supplier<com.rabbitmq.client.Connection> publisherConnection) {
		CachingConnectionFactory main = RabbitConnectionFactories.create(streamName, config);
		return new PublisherConnections(main, new Fixed(main, publisherConnection));
	}

	/**
	 * A connection whose first channel runs {@code beforeFirstPublish} at the start of
	 * its first {@code basicPublish}, before the publish itself.
	 * @param connection the real connection
	 * @param beforeFirstPublish what happens then, given the real channel
	 * @return the connection
	 */
	static com.rabbitmq.client.Connection firstPublishInterrupted(com.rabbitmq.client.Connection connection,
			ThrowingConsumer<Channel> beforeFirstPublish) {
		AtomicBoolean first = new AtomicBoolean(true);
		return (com.rabbitmq.client.Connection) Proxy.newProxyInstance(PublisherConnections.class.getClassLoader(),
				new Class<?>[] { com.rabbitmq.client.Connection.class }, (proxy, method, args) -> {
					Object result = invoke(connection, method, args);
					if (method.getName().equals("createChannel") && result instanceof Channel channel
							&& first.compareAndSet(true, false)) {
						return interruptedChannel(channel, beforeFirstPublish);
					}
					return result;
				});
	}

	private static Channel interruptedChannel(Channel channel, ThrowingConsumer<Channel> beforeFirstPublish) {
		AtomicBoolean first = new AtomicBoolean(true);
		return (Channel) Proxy.newProxyInstance(PublisherConnections.class.getClassLoader(),
				new Class<?>[] { Channel.class }, (proxy, method, args) -> {
					if (method.getName().equals("basicPublish") && first.compareAndSet(true, false)) {
						beforeFirstPublish.accept(channel);
					}
					return invoke(channel, method, args);
				});
	}

	private static @Nullable Object invoke(Object target, java.lang.reflect.Method method, Object @Nullable [] args)
			throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	void destroy() {
		this.main.destroy();
	}

	@Override
	public Connection createConnection() throws AmqpException {
		return this.main.createConnection();
	}

	@Override
	public String getHost() {
		return this.main.getHost();
	}

	@Override
	public int getPort() {
		return this.main.getPort();
	}

	@Override
	public String getVirtualHost() {
		return this.main.getVirtualHost();
	}

	@Override
	public String getUsername() {
		return this.main.getUsername();
	}

	@Override
	public void addConnectionListener(ConnectionListener listener) {
		this.main.addConnectionListener(listener);
	}

	@Override
	public boolean removeConnectionListener(ConnectionListener listener) {
		return this.main.removeConnectionListener(listener);
	}

	@Override
	public void clearConnectionListeners() {
		this.main.clearConnectionListeners();
	}

	@Override
	public ConnectionFactory getPublisherConnectionFactory() {
		return this.publisher;
	}

	/** A step that may throw. */
	@FunctionalInterface
	interface ThrowingConsumer<T> {

		void accept(T value) throws Exception;

	}

	/** Hands out the connections of a supplier; listeners go to the real factory. */
	private record Fixed(CachingConnectionFactory main,
			Supplier<com.rabbitmq.client.Connection> connections) implements ConnectionFactory {

		@Override
		public Connection createConnection() throws AmqpException {
			return new SimpleConnection(this.connections.get(), 1000);
		}

		@Override
		public String getHost() {
			return this.main.getHost();
		}

		@Override
		public int getPort() {
			return this.main.getPort();
		}

		@Override
		public String getVirtualHost() {
			return this.main.getVirtualHost();
		}

		@Override
		public String getUsername() {
			return this.main.getUsername();
		}

		@Override
		public void addConnectionListener(ConnectionListener listener) {
		}

		@Override
		public boolean removeConnectionListener(ConnectionListener listener) {
			return false;
		}

		@Override
		public void clearConnectionListeners() {
		}

	}

}
