package io.zephcast.rabbit.internal;

import java.util.Optional;
import java.util.Set;

import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * The {@link RabbitClientStatus} of a client: reads its lifecycle, connector, publisher,
 * consumption and listener container.
 */
final class ClientStatus extends AbstractClientStatus {

	private final Connector connector;

	private final Publisher publisher;

	private final Consumption consumption;

	private final AbstractMessageListenerContainer container;

	private final ConnectionWatch watch;

	private final ParkingFailures parking;

	ClientStatus(String streamName, RabbitConfig config, RabbitTopology topology, ClientLifecycle lifecycle,
			Connector connector, Publisher publisher, Consumption consumption,
			AbstractMessageListenerContainer container, ParkingFailures parking) {
		super(streamName, config, topology, lifecycle::state);
		this.connector = connector;
		this.publisher = publisher;
		this.consumption = consumption;
		this.container = container;
		this.parking = parking;
		this.watch = new ConnectionWatch(config);
		connector.connectionFactory().addConnectionListener(this.watch);
		if (connector.connectionFactory().getPublisherConnectionFactory() != null) {
			connector.connectionFactory().getPublisherConnectionFactory().addConnectionListener(this.watch);
		}
	}

	@Override
	public @Nullable String publishingBlockedReason() {
		return this.publisher.blockedReason();
	}

	@Override
	public boolean isConsuming() {
		return this.consumption.mode() != Consumption.Mode.NONE;
	}

	@Override
	public int consumersRunning() {
		if (this.container instanceof CountingListenerContainer counting) {
			return counting.runningConsumers();
		}
		return -1;
	}

	@Override
	public @Nullable String consumerFailure() {
		if (isConsuming() && this.container instanceof CountingListenerContainer counting
				&& counting.runningConsumers() < consumersConfigured()) {
			return counting.consumerFailure();
		}
		return null;
	}

	@Override
	public @Nullable ConsumerTimeout lastConsumerTimeout() {
		if (this.container instanceof CountingListenerContainer counting) {
			return counting.lastConsumerTimeout();
		}
		return null;
	}

	@Override
	public int sendsInFlight() {
		return this.publisher.unconfirmed();
	}

	@Override
	public int deliveriesBuffered() {
		return this.consumption.deliveries().size();
	}

	/**
	 * The {@code receive()} futures held for the next messages, those given up on but not
	 * yet swept out included (what tests check stays bounded).
	 * @return the count
	 */
	public int receivesWaiting() {
		return this.consumption.deliveries().waiterCount();
	}

	@Override
	public Optional<String> brokerVersion() {
		BrokerInfo broker = this.connector.broker().broker();
		return (broker != null && !broker.version().isEmpty()) ? Optional.of(broker.version()) : Optional.empty();
	}

	@Override
	public Set<String> brokerCapabilities() {
		BrokerInfo broker = this.connector.broker().broker();
		return (broker != null) ? broker.capabilities() : Set.of();
	}

	@Override
	public @Nullable ConnectionFailure lastConnectionFailure() {
		return this.watch.lastFailure();
	}

	@Override
	public long parkingFailures() {
		return this.parking.failures();
	}

	@Override
	public int deliveriesHeldUnparked() {
		return this.parking.heldNow();
	}

	@Override
	public @Nullable ParkingFailure lastParkingFailure() {
		return this.parking.last();
	}

	@Override
	public BrokerCheck checkBroker() {
		try {
			Connection connection = this.connector.connectionFactory().createConnection();
			Object version = connection.getDelegate().getServerProperties().get("version");
			QueueState queue = null;
			if (checksQueue()) {
				QueueInformation information = this.connector.admin().getQueueInfo(queueName());
				if (information != null) {
					queue = new QueueState(information.getName(), information.getMessageCount(),
							information.getConsumerCount());
				}
			}
			return new BrokerCheck((version != null) ? version.toString() : "unknown", queue);
		}
		catch (AmqpException | IllegalStateException ex) {
			throw unreachable(ex, BrokerErrors.rootMessage(ex), this.watch::mask);
		}
	}

}
