package io.zephcast.rabbit.internal;

import java.util.Optional;
import java.util.Set;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Management;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RabbitClientStatus} of an AMQP 1.0 client. What AMQP 1.0 does not tell is
 * reported as unknown: the broker's version and capabilities (empty), consumer timeouts
 * (none) and, since retries and dead letters are the consumption's, parking failures
 * (none). The broker never blocks an AMQP 1.0 publisher by a connection-level signal (it
 * withholds link credit instead), so {@link #publishingBlockedReason()} is {@code null}.
 */
final class Amqp10Status implements RabbitClientStatus {

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Amqp10Lifecycle lifecycle;

	private final Amqp10Connection connection;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	Amqp10Status(String streamName, RabbitConfig config, RabbitTopology topology, Amqp10Lifecycle lifecycle,
			Amqp10Connection connection, Amqp10Publisher publisher, Amqp10Consumption consumption) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.lifecycle = lifecycle;
		this.connection = connection;
		this.publisher = publisher;
		this.consumption = consumption;
	}

	@Override
	public String streamName() {
		return this.streamName;
	}

	@Override
	public String url() {
		return this.config.maskedUrl();
	}

	@Override
	public boolean isRunning() {
		return this.lifecycle.state() == ClientLifecycle.State.RUNNING;
	}

	@Override
	public String state() {
		return this.lifecycle.state().name();
	}

	@Override
	public @Nullable String publishingBlockedReason() {
		return null;
	}

	@Override
	public boolean isConsuming() {
		return this.consumption.isConsuming();
	}

	@Override
	public int consumersConfigured() {
		return isConsuming() ? this.config.concurrency() : 0;
	}

	@Override
	public int consumersRunning() {
		return this.consumption.consumersRunning();
	}

	@Override
	public @Nullable String consumerFailure() {
		return null;
	}

	@Override
	public @Nullable ConsumerTimeout lastConsumerTimeout() {
		return null;
	}

	@Override
	public int sendsInFlight() {
		return this.publisher.unsettled();
	}

	@Override
	public int deliveriesBuffered() {
		return this.consumption.deliveriesBuffered();
	}

	@Override
	public Optional<String> brokerVersion() {
		return Optional.empty();
	}

	@Override
	public Set<String> brokerCapabilities() {
		return Set.of();
	}

	@Override
	public @Nullable ConnectionFailure lastConnectionFailure() {
		return this.connection.lastFailure();
	}

	@Override
	public long parkingFailures() {
		return 0;
	}

	@Override
	public int deliveriesHeldUnparked() {
		return 0;
	}

	@Override
	public @Nullable ParkingFailure lastParkingFailure() {
		return null;
	}

	/** Asks the broker, through AMQP 1.0 management, on the client's connection. */
	@Override
	public BrokerCheck checkBroker() {
		try {
			Connection open = this.connection.connection();
			if (open == null) {
				throw new IllegalStateException("the client is not connected");
			}
			QueueState queue = null;
			if (isConsuming() || this.topology.declaresQueueOnConnect()) {
				try {
					Management.QueueInfo info = open.management().queueInfo(this.topology.queueName());
					queue = new QueueState(info.name(), info.messageCount(), info.consumerCount());
				}
				catch (AmqpException.AmqpEntityDoesNotExistException ex) {
					// no queue: none to report
				}
			}
			return new BrokerCheck("unknown (AMQP 1.0)", queue);
		}
		catch (AmqpException | IllegalStateException ex) {
			throw new RabbitConnectionException(
					this.connection.mask("Cannot reach RabbitMQ at " + this.config.maskedUrl() + " for stream '"
							+ this.streamName + "': " + Amqp10Connection.rootMessage(ex)),
					this.config.maskedUrl(), ex);
		}
	}

}
