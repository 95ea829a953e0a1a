package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.rabbitmq.client.SocketConfigurator;
import io.zephcast.rabbit.RabbitClient;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * The connections and sockets of a connection factory a {@link RabbitClient} created
 * itself, kept so that a close past its deadline can end them whatever the broker or the
 * network does, and so that a closed client's factory never connects again (Spring lets a
 * destroyed factory connect again).
 */
final class OwnConnections implements ConnectionListener {

	/** The open connections: what an abort closes, politely first. */
	private final Set<com.rabbitmq.client.Connection> connections = ConcurrentHashMap.newKeySet();

	/**
	 * The sockets, also those still in their handshake: what an abort that does not end
	 * in time closes.
	 */
	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	/** Set once the client is closed or aborts: the factory connects no more. */
	private volatile boolean refusing;

	/**
	 * Watches the factory's connections (and its publisher factory's), and its sockets
	 * through its socket configurator, around the configurator it has.
	 * @param streamName the client's stream name, for the refusal's words
	 * @param factory the factory the client created
	 */
	OwnConnections(String streamName, CachingConnectionFactory factory) {
		factory.addConnectionListener(this);
		ConnectionFactory publisherFactory = factory.getPublisherConnectionFactory();
		if (publisherFactory != null) {
			publisherFactory.addConnectionListener(this);
		}
		com.rabbitmq.client.ConnectionFactory rabbit = factory.getRabbitConnectionFactory();
		SocketConfigurator configured = rabbit.getSocketConfigurator();
		String reason = "the RabbitClient '" + streamName + "' is closed";
		rabbit.setSocketConfigurator((socket) -> {
			if (this.refusing) {
				// before a byte is sent: the connection fails at once
				throw new IOException(reason);
			}
			this.sockets.removeIf(Socket::isClosed);
			this.sockets.add(socket);
			if (configured != null) {
				configured.configure(socket);
			}
		});
	}

	@Override
	public void onCreate(Connection connection) {
		// those the broker or the network closed are never reported closed
		this.connections.removeIf((known) -> !known.isOpen());
		com.rabbitmq.client.Connection delegate = connection.getDelegate();
		if (delegate != null) {
			this.connections.add(delegate);
		}
	}

	@Override
	public void onClose(Connection connection) {
		com.rabbitmq.client.Connection delegate = connection.getDelegate();
		if (delegate != null) {
			this.connections.remove(delegate);
		}
	}

	/**
	 * Makes the factory fail every new connection at once: neither a late send nor the
	 * listener container restarting a consumer whose connection was aborted may open one.
	 */
	void refuse() {
		this.refusing = true;
	}

	/**
	 * Refuses new connections and aborts the open ones: each closes its socket after at
	 * most the timeout, and its channels' shutdown completes what waits on them. Each
	 * abort runs on a thread of its own, so that a connection whose socket write is stuck
	 * cannot hold the caller.
	 * @param timeoutMillis how long each connection may wait for the broker's close-ok
	 * @param threadName names the aborting threads
	 */
	void abort(int timeoutMillis, String threadName) {
		refuse();
		for (com.rabbitmq.client.Connection connection : this.connections) {
			Thread aborting = new Thread(() -> connection.abort(timeoutMillis), threadName);
			aborting.setDaemon(true);
			aborting.start();
		}
	}

	/**
	 * Refuses new connections and closes every socket at once, for an abort that did not
	 * end in time: a connection whose socket write is stuck, or one still in its
	 * handshake. Whatever waits on them fails at once.
	 */
	void closeSockets() {
		refuse();
		for (Socket socket : this.sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closed already
			}
		}
		this.sockets.clear();
	}

}
