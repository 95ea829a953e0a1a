package io.zephcast.rabbit.internal;

import java.time.Instant;

import com.rabbitmq.client.ShutdownSignalException;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Remembers the last time a connection of the client could not be opened or was closed by
 * the broker or the network, for {@link RabbitClientStatus}. Its words never hold
 * credentials.
 */
final class ConnectionWatch implements ConnectionListener {

	private final String password;

	private volatile RabbitClientStatus.@Nullable ConnectionFailure lastFailure;

	ConnectionWatch(RabbitConfig config) {
		String secret = AmqpUrl.parse(config.url()).password();
		this.password = (secret != null) ? secret : "";
	}

	RabbitClientStatus.@Nullable ConnectionFailure lastFailure() {
		return this.lastFailure;
	}

	@Override
	public void onCreate(Connection connection) {
		// a failure stays the last one until the next: the health report shows when it
		// was
	}

	@Override
	public void onShutDown(ShutdownSignalException signal) {
		if (!signal.isInitiatedByApplication()) {
			record("connection closed: " + BrokerErrors.rootMessage(signal));
		}
	}

	@Override
	public void onFailed(Exception exception) {
		record("cannot connect: " + BrokerErrors.rootMessage(exception));
	}

	private void record(String reason) {
		this.lastFailure = new RabbitClientStatus.ConnectionFailure(Instant.now(), mask(reason));
	}

	/**
	 * The text with the password taken out, should a broker or network message ever
	 * repeat it.
	 */
	String mask(String text) {
		return (this.password.length() < 3) ? text : text.replace(this.password, "****");
	}

}
