package io.zephcast.rabbit;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * What a {@link RabbitClient} can say about itself, for health checks and gauges. Every
 * method but {@link #checkBroker()} reads what the client already knows and is cheap;
 * {@link #checkBroker()} asks the broker. Nothing here holds credentials: URLs are
 * masked.
 */
public final class RabbitClientStatus {

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final ClientLifecycle lifecycle;

	private final Connector connector;

	private final Publisher publisher;

	private final Consumption consumption;

	private final AbstractMessageListenerContainer container;

	private final ConnectionWatch watch;

	private final ParkingFailures parking;

	RabbitClientStatus(String streamName, RabbitConfig config, RabbitTopology topology, ClientLifecycle lifecycle,
			Connector connector, Publisher publisher, Consumption consumption,
			AbstractMessageListenerContainer container, ParkingFailures parking) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.lifecycle = lifecycle;
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

	public String streamName() {
		return this.streamName;
	}

	/**
	 * The broker's URL without its password.
	 * @return the masked URL
	 */
	public String url() {
		return this.config.maskedUrl();
	}

	/**
	 * Whether the client is started and neither stopped nor closed.
	 * @return whether running
	 */
	public boolean isRunning() {
		return this.lifecycle.state() == ClientLifecycle.State.RUNNING;
	}

	/**
	 * The client's lifecycle state: {@code NEW}, {@code RUNNING}, {@code STOPPING},
	 * {@code STOPPED}, {@code CLOSING} or {@code CLOSED}.
	 * @return the state's name
	 */
	public String state() {
		return this.lifecycle.state().name();
	}

	/**
	 * Why the broker blocks publishing (a memory or disk alarm), while it does.
	 * @return the broker's reason, or {@code null} while publishing is allowed
	 */
	public @Nullable String publishingBlockedReason() {
		return this.publisher.blockedReason();
	}

	/**
	 * Whether the application consumes (pulls or has a handler).
	 * @return whether consuming
	 */
	public boolean isConsuming() {
		return this.consumption.mode() != Consumption.Mode.NONE;
	}

	/**
	 * The consumers the client should run: its concurrency while it consumes, else 0.
	 * @return the count
	 */
	public int consumersConfigured() {
		return isConsuming() ? this.config.concurrency() : 0;
	}

	/**
	 * The consumers subscribed to the broker now; a lost one is restarted within about a
	 * second once the broker answers.
	 * @return the count, or -1 if the listener container (one the application made
	 * itself) cannot tell
	 */
	public int consumersRunning() {
		if (this.container instanceof CountingListenerContainer counting) {
			return counting.runningConsumers();
		}
		return -1;
	}

	/**
	 * Why fewer consumers run than configured, while they do: e.g. {@code consumer
	 * cancelled by the broker: queue 'orders' not found}.
	 * @return the reason, or {@code null} if every configured consumer runs, the client
	 * does not consume, or the listener container (one the application made itself)
	 * cannot tell
	 */
	public @Nullable String consumerFailure() {
		if (isConsuming() && this.container instanceof CountingListenerContainer counting
				&& counting.runningConsumers() < consumersConfigured()) {
			return counting.consumerFailure();
		}
		return null;
	}

	/**
	 * The last time the broker closed one of the client's consumer channels because a
	 * message stayed unacked longer than the queue's consumer timeout (the broker's
	 * {@code consumer_timeout}, or the queue's {@code x-consumer-timeout}): the broker
	 * requeued the message for redelivery, and the consumer was restarted.
	 * @return the timeout, or {@code null} if there was none, or the listener container
	 * (one the application made itself) cannot tell
	 */
	public @Nullable ConsumerTimeout lastConsumerTimeout() {
		if (this.container instanceof CountingListenerContainer counting) {
			return counting.lastConsumerTimeout();
		}
		return null;
	}

	/**
	 * Sends written and waiting for the broker's confirm.
	 * @return the count
	 */
	public int sendsInFlight() {
		return this.publisher.unconfirmed();
	}

	/**
	 * Messages delivered and buffered for {@code receive()} and iteration, not yet handed
	 * out.
	 * @return the count
	 */
	public int deliveriesBuffered() {
		return this.consumption.deliveries().size();
	}

	/**
	 * The {@code receive()} futures held for the next messages, those given up on but not
	 * yet swept out included (what tests check stays bounded).
	 * @return the count
	 */
	int receivesWaiting() {
		return this.consumption.deliveries().waiterCount();
	}

	/**
	 * The RabbitMQ version of the broker the client is connected to, as the broker said
	 * when the connection opened (the last connection's, after a reconnect). Known from
	 * the first connect on; the client's version checks
	 * ({@link BrokerCompatibilityException}) go by it.
	 * @return the version, e.g. {@code 4.0.5}; empty until the client has connected, or
	 * if the broker did not say
	 */
	public Optional<String> brokerVersion() {
		BrokerInfo broker = this.connector.broker().broker();
		return (broker != null && !broker.version().isEmpty()) ? Optional.of(broker.version()) : Optional.empty();
	}

	/**
	 * The capabilities the broker announced when the connection opened, e.g.
	 * {@code publisher_confirms} or {@code per_consumer_qos}.
	 * @return the capability names, in order; empty until the client has connected
	 */
	public Set<String> brokerCapabilities() {
		BrokerInfo broker = this.connector.broker().broker();
		return (broker != null) ? broker.capabilities() : Set.of();
	}

	/**
	 * The last time a connection could not be opened or was closed by the broker or the
	 * network.
	 * @return the failure, or {@code null} if there was none
	 */
	public @Nullable ConnectionFailure lastConnectionFailure() {
		return this.watch.lastFailure();
	}

	/**
	 * Messages whose retry or dead-letter copy the broker did not store (unroutable,
	 * nacked, refused under an alarm, never confirmed), since the client was made. Each
	 * went back to its queue after a back-off rather than at once.
	 * @return the count
	 */
	public long parkingFailures() {
		return this.parking.failures();
	}

	/**
	 * Messages held now, unsettled, for their back-off after their copy was not stored.
	 * @return the count
	 */
	public int deliveriesHeldUnparked() {
		return this.parking.heldNow();
	}

	/**
	 * The last copy that was not stored, with the reason and the setting to fix.
	 * @return the failure, or {@code null} if there was none
	 */
	public @Nullable ParkingFailure lastParkingFailure() {
		return this.parking.last();
	}

	/**
	 * Asks the broker: opens the connection if it is not open (as the client's next use
	 * would), and reads the server's version and, if the client consumes or declares its
	 * queue, the queue's depth and consumers.
	 * @return what the broker said
	 * @throws RabbitConnectionException if the broker cannot be reached; its message
	 * names the masked URL and the reason
	 */
	public BrokerCheck checkBroker() {
		try {
			Connection connection = this.connector.connectionFactory().createConnection();
			Object version = connection.getDelegate().getServerProperties().get("version");
			QueueState queue = null;
			if (isConsuming() || this.topology.declaresQueueOnConnect()) {
				QueueInformation information = this.connector.admin().getQueueInfo(this.topology.queueName());
				if (information != null) {
					queue = new QueueState(information.getName(), information.getMessageCount(),
							information.getConsumerCount());
				}
			}
			return new BrokerCheck((version != null) ? version.toString() : "unknown", queue);
		}
		catch (AmqpException | IllegalStateException ex) {
			throw new RabbitConnectionException(this.watch.mask("Cannot reach RabbitMQ at " + this.config.maskedUrl()
					+ " for stream '" + this.streamName + "': " + BrokerErrors.rootMessage(ex)),
					this.config.maskedUrl(), ex);
		}
	}

	/**
	 * A connection that could not be opened or was closed other than by the client.
	 *
	 * @param at when
	 * @param reason what happened, without credentials
	 */
	public record ConnectionFailure(Instant at, String reason) {
	}

	/**
	 * A consumer's channel the broker closed because a message stayed unacked past the
	 * queue's consumer timeout.
	 *
	 * @param at when the client saw it
	 * @param queue the consumer's queue
	 * @param timeout the timeout the broker used, or {@code null} if it did not say
	 * @param reason the broker's words
	 */
	public record ConsumerTimeout(Instant at, String queue, @Nullable Duration timeout, String reason) {
	}

	/**
	 * A retry or dead-letter copy the broker did not store.
	 *
	 * @param at when
	 * @param reason what the copy was, why it failed and what to fix; no message body
	 */
	public record ParkingFailure(Instant at, String reason) {
	}

	/**
	 * What the broker answered.
	 *
	 * @param serverVersion the RabbitMQ version
	 * @param queue the client's queue, or {@code null} if the client neither consumes nor
	 * declares it, or it does not exist
	 */
	public record BrokerCheck(String serverVersion, @Nullable QueueState queue) {
	}

	/**
	 * A queue as the broker reports it.
	 *
	 * @param name the queue's name
	 * @param messages messages ready for delivery (not those delivered and unacked)
	 * @param consumers consumers on the queue, of every client in the group
	 */
	public record QueueState(String name, long messages, int consumers) {
	}

}
