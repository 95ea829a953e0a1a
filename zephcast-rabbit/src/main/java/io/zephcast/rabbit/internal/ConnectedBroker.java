package io.zephcast.rabbit.internal;

import io.zephcast.rabbit.BrokerCompatibilityException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * The broker a {@link Connector} is connected to, read from each new connection (after a
 * loss, the client may reach another node of a cluster, of another version during a
 * rolling upgrade), and the version checks it runs on connect and before declaring.
 */
final class ConnectedBroker implements ConnectionListener {

	private volatile @Nullable BrokerInfo broker;

	private volatile BrokerCompatibility compatibility;

	ConnectedBroker(BrokerCompatibility compatibility) {
		this.compatibility = compatibility;
	}

	/**
	 * Sets the checks, once the client knows its listener container.
	 * @param compatibility the checks
	 */
	void checkWith(BrokerCompatibility compatibility) {
		this.compatibility = compatibility;
	}

	/**
	 * What the broker said about itself when the client last connected.
	 * @return the broker, or {@code null} until connected
	 */
	@Nullable BrokerInfo broker() {
		return this.broker;
	}

	/**
	 * Reads the broker from the connection the client opened to start, and checks the
	 * client's settings against its version.
	 * @param connection the open connection
	 * @throws BrokerCompatibilityException if the version does not support a setting
	 */
	void connected(Connection connection) {
		BrokerInfo connected = BrokerInfo.of(connection);
		this.broker = connected;
		this.compatibility.checkClient(connected);
	}

	/**
	 * Checks what is about to be declared against the broker's version.
	 * @param declarables the declarables
	 * @throws BrokerCompatibilityException if the version does not support a setting
	 */
	void beforeDeclaring(Declarables declarables) {
		BrokerInfo connected = this.broker;
		if (connected != null) {
			this.compatibility.checkDeclarations(connected, declarables);
		}
	}

	@Override
	public void onCreate(Connection connection) {
		try {
			this.broker = BrokerInfo.of(connection);
		}
		catch (RuntimeException ex) {
			// a listener must not fail the connection: the broker stays as last read
		}
	}

}
