package io.zephcast.rabbit.internal;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.TopologyMismatchException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * The connection side of a {@link RabbitClient}: opens the connection, declares the
 * topology and reports what went wrong in terms of the client's settings. Spring AMQP's
 * {@link RabbitAdmin} records each declaration and redoes it on every new connection.
 */
final class Connector {

	private final String streamName;

	private final RabbitConfig config;

	private final ConnectionFactory connectionFactory;

	private final boolean ownsConnectionFactory;

	private final RabbitAdmin admin;

	/**
	 * False while a client that does not fail fast waits for the broker to answer (and
	 * for its consumers to start).
	 */
	private volatile boolean ready;

	private final ConnectedBroker broker;

	/** The connections of a factory the client created, or {@code null}. */
	private final @Nullable OwnConnections ownConnections;

	Connector(String streamName, RabbitConfig config, ConnectionFactory connectionFactory,
			boolean ownsConnectionFactory) {
		this.streamName = streamName;
		this.config = config;
		this.connectionFactory = connectionFactory;
		this.ownsConnectionFactory = ownsConnectionFactory;
		this.admin = new RabbitAdmin(connectionFactory);
		this.admin.setRedeclareManualDeclarations(true);
		this.admin.afterPropertiesSet();
		this.ownConnections = (ownsConnectionFactory && connectionFactory instanceof CachingConnectionFactory caching)
				? new OwnConnections(streamName, caching) : null;
		this.broker = new ConnectedBroker(new BrokerCompatibility(streamName, config, null));
		connectionFactory.addConnectionListener(this.broker);
	}

	/**
	 * The broker connected to, and the checks of its version.
	 * @return the connected broker
	 */
	ConnectedBroker broker() {
		return this.broker;
	}

	ConnectionFactory connectionFactory() {
		return this.connectionFactory;
	}

	RabbitAdmin admin() {
		return this.admin;
	}

	boolean isReady() {
		return this.ready;
	}

	/**
	 * Opens the connection and declares (or verifies, per {@link RabbitConfig#declare()})
	 * what the client declares on connect.
	 * @throws RabbitConnectionException if the broker cannot be reached
	 * @throws TopologyMismatchException if it refuses a declaration, or
	 * ({@link BrokerCompatibilityException}) its version does not support a setting
	 */
	void open(Declarables declarables) {
		open(declarables, () -> {
		});
	}

	/**
	 * Opens the connection, declares, and runs what else must succeed before the client
	 * counts as ready (a client that did not fail fast starts its consumers there): if it
	 * throws, the client is not ready, and the next attempt does it all again.
	 * @param declarables what to declare
	 * @param beforeReady what else must succeed first
	 */
	void open(Declarables declarables, Runnable beforeReady) {
		try (Connection connection = this.connectionFactory.createConnection()) {
			// before declaring: what the broker's version does not support fails first
			this.broker.connected(connection);
		}
		catch (AmqpException ex) {
			throw new RabbitConnectionException("Cannot connect to RabbitMQ at " + this.config.maskedAddresses()
					+ " for stream '" + this.streamName + "': " + BrokerErrors.rootMessage(ex),
					this.config.maskedAddresses(), ex);
		}
		apply(declarables);
		beforeReady.run();
		this.ready = true;
	}

	/**
	 * Declares, verifies or leaves alone the declarables, as
	 * {@link RabbitConfig#declare()} says.
	 * @throws RabbitConnectionException if the broker cannot be reached
	 * @throws TopologyMismatchException naming the setting the broker disagrees with
	 */
	void apply(Declarables declarables) {
		switch (this.config.declare()) {
			case ON -> declare(declarables);
			case VERIFY -> verify(declarables, true);
			case OFF -> {
				// the operators' topology: nothing to do
			}
		}
	}

	/**
	 * Makes sure the retry queues exist: declares them, or (when the client declares
	 * nothing) checks that they exist, since a failing message must never find its next
	 * stop missing.
	 */
	void applyRetryQueues(Declarables declarables) {
		switch (this.config.declare()) {
			case ON -> declare(declarables);
			case VERIFY -> verify(declarables, true);
			case OFF -> verify(declarables, false);
		}
	}

	/**
	 * Checks the exchanges and queues without creating them: each must exist and, when
	 * {@code equivalent}, match its settings. Bindings cannot be checked over AMQP and
	 * are skipped. Declarations go to the channel directly, so that the admin does not
	 * record them for redeclaration.
	 */
	private void verify(Declarables declarables, boolean equivalent) {
		for (Declarable declarable : declarables.getDeclarables()) {
			try {
				if (declarable instanceof Exchange exchange) {
					this.admin.getRabbitTemplate().execute((channel) -> {
						channel.exchangeDeclarePassive(exchange.getName());
						if (equivalent) {
							// declaring what exists is a no-op when equal and refused
							// when not
							channel.exchangeDeclare(exchange.getName(), exchange.getType(), exchange.isDurable(),
									exchange.isAutoDelete(), exchange.isInternal(), exchange.getArguments());
						}
						return null;
					});
				}
				else if (declarable instanceof Queue queue) {
					this.admin.getRabbitTemplate().execute((channel) -> {
						channel.queueDeclarePassive(queue.getName());
						if (equivalent) {
							channel.queueDeclare(queue.getName(), queue.isDurable(), queue.isExclusive(),
									queue.isAutoDelete(), queue.getArguments());
						}
						return null;
					});
				}
			}
			catch (AmqpException ex) {
				throw Declarations.failure(declarable, ex, this.config);
			}
		}
	}

	/**
	 * Declares each of the declarables, in order.
	 * @throws RabbitConnectionException if the broker cannot be reached
	 * @throws TopologyMismatchException naming the setting the broker disagrees with
	 */
	void declare(Declarables declarables) {
		this.broker.beforeDeclaring(declarables);
		for (Declarable declarable : declarables.getDeclarables()) {
			try {
				if (declarable instanceof Exchange exchange) {
					this.admin.declareExchange(exchange);
				}
				else if (declarable instanceof Queue queue) {
					this.admin.declareQueue(queue);
				}
				else if (declarable instanceof Binding binding) {
					this.admin.declareBinding(binding);
				}
			}
			catch (AmqpException ex) {
				throw Declarations.failure(declarable, ex, this.config);
			}
		}
	}

	/**
	 * Closes the connections of a connection factory the client created, after a
	 * {@code connect()} that failed: a client the application could not even hold (a
	 * try-with-resources whose {@code connect()} threw) must leave no connection open.
	 * The factory can connect again.
	 */
	void reset() {
		this.ready = false;
		if (this.ownsConnectionFactory && this.connectionFactory instanceof CachingConnectionFactory caching) {
			caching.resetConnection();
		}
	}

	/**
	 * Destroys the connection factory if the client created it, for good: Spring lets a
	 * destroyed factory connect again, a closed client must not.
	 */
	void close() {
		if (this.ownConnections != null) {
			this.ownConnections.refuse();
		}
		if (this.ownsConnectionFactory && this.connectionFactory instanceof CachingConnectionFactory caching) {
			caching.destroy();
		}
	}

	/**
	 * Aborts the connections of a connection factory the client created, for a close past
	 * its deadline ({@link OwnConnections#abort}); a factory the application gave is its
	 * to close.
	 * @param timeoutMillis how long each connection may wait for the broker's close-ok
	 * @param threadName names the aborting threads
	 */
	void abort(int timeoutMillis, String threadName) {
		if (this.ownConnections != null) {
			this.ownConnections.abort(timeoutMillis, threadName);
		}
	}

	/**
	 * Closes the sockets of a connection factory the client created, for an abort that
	 * did not end in time ({@link OwnConnections#closeSockets}).
	 */
	void closeSockets() {
		if (this.ownConnections != null) {
			this.ownConnections.closeSockets();
		}
	}

}
