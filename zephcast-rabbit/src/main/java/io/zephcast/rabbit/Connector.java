package io.zephcast.rabbit;

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

	/** False while a client that does not fail fast waits for the broker to answer. */
	private volatile boolean ready;

	private final ConnectedBroker broker;

	Connector(String streamName, RabbitConfig config, ConnectionFactory connectionFactory,
			boolean ownsConnectionFactory) {
		this.streamName = streamName;
		this.config = config;
		this.connectionFactory = connectionFactory;
		this.ownsConnectionFactory = ownsConnectionFactory;
		this.admin = new RabbitAdmin(connectionFactory);
		this.admin.setRedeclareManualDeclarations(true);
		this.admin.afterPropertiesSet();
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

	/** Destroys the connection factory if the client created it. */
	void close() {
		if (this.ownsConnectionFactory && this.connectionFactory instanceof CachingConnectionFactory caching) {
			caching.destroy();
		}
	}

}
