package io.zephcast.rabbit.internal;

import java.util.Optional;
import java.util.Set;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Management;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RabbitClientStatus} of an AMQP 1.0 client. What AMQP 1.0 does not tell is
 * reported as unknown: the broker's version and capabilities (empty) and consumer
 * timeouts (none). Parking failures are the consumption's, as over AMQP 0-9-1. The broker
 * never blocks an AMQP 1.0 publisher by a connection-level signal (it withholds link
 * credit instead), so {@link #publishingBlockedReason()} is {@code null}.
 */
final class Amqp10Status extends AbstractClientStatus {

	private final Amqp10Connection connection;

	private final Amqp10Publisher publisher;

	private final Amqp10Consumption consumption;

	Amqp10Status(String streamName, RabbitConfig config, RabbitTopology topology, Amqp10Lifecycle lifecycle,
			Amqp10Connection connection, Amqp10Publisher publisher, Amqp10Consumption consumption) {
		super(streamName, config, topology, lifecycle::state);
		this.connection = connection;
		this.publisher = publisher;
		this.consumption = consumption;
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
		return this.consumption.parking().failures();
	}

	@Override
	public int deliveriesHeldUnparked() {
		return this.consumption.parking().heldNow();
	}

	@Override
	public @Nullable ParkingFailure lastParkingFailure() {
		return this.consumption.parking().last();
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
			if (checksQueue()) {
				try {
					Management.QueueInfo info = open.management().queueInfo(queueName());
					queue = new QueueState(info.name(), info.messageCount(), info.consumerCount());
				}
				catch (AmqpException.AmqpEntityDoesNotExistException ex) {
					// no queue: none to report
				}
			}
			return new BrokerCheck("unknown (AMQP 1.0)", queue);
		}
		catch (AmqpException | IllegalStateException ex) {
			throw unreachable(ex, Amqp10Connection.rootMessage(ex), this.connection::mask);
		}
	}

}
