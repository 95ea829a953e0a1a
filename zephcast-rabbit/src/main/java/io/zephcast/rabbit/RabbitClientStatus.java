package io.zephcast.rabbit;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link RabbitClient} can say about itself, for health checks and gauges. Every
 * method but {@link #checkBroker()} reads what the client already knows and is cheap;
 * {@link #checkBroker()} asks the broker. Nothing here holds credentials: URLs are
 * masked.
 * <p>
 * An interface so that what the status reads stays inside the client; applications do not
 * implement it.
 */
public interface RabbitClientStatus {

	/**
	 * The name of the client's stream.
	 * @return the stream name
	 */
	String streamName();

	/**
	 * The broker's URL without its password.
	 * @return the masked URL
	 */
	String url();

	/**
	 * Whether the client is started and neither stopped nor closed.
	 * @return whether running
	 */
	boolean isRunning();

	/**
	 * The client's lifecycle state: {@code NEW}, {@code RUNNING}, {@code STOPPING},
	 * {@code STOPPED}, {@code CLOSING} or {@code CLOSED}.
	 * @return the state's name
	 */
	String state();

	/**
	 * Why the broker blocks publishing (a memory or disk alarm), while it does.
	 * @return the broker's reason, or {@code null} while publishing is allowed
	 */
	@Nullable String publishingBlockedReason();

	/**
	 * Whether the application consumes (pulls or has a handler).
	 * @return whether consuming
	 */
	boolean isConsuming();

	/**
	 * The consumers the client should run: its concurrency while it consumes, else 0.
	 * @return the count
	 */
	int consumersConfigured();

	/**
	 * The consumers subscribed to the broker now; a lost one is restarted within about a
	 * second once the broker answers.
	 * @return the count, or -1 if the listener container (one the application made
	 * itself) cannot tell
	 */
	int consumersRunning();

	/**
	 * Why fewer consumers run than configured, while they do: e.g. {@code consumer
	 * cancelled by the broker: queue 'orders' not found}.
	 * @return the reason, or {@code null} if every configured consumer runs, the client
	 * does not consume, or the listener container (one the application made itself)
	 * cannot tell
	 */
	@Nullable String consumerFailure();

	/**
	 * The last time the broker closed one of the client's consumer channels because a
	 * message stayed unacked longer than the queue's consumer timeout (the broker's
	 * {@code consumer_timeout}, or the queue's {@code x-consumer-timeout}): the broker
	 * requeued the message for redelivery, and the consumer was restarted.
	 * @return the timeout, or {@code null} if there was none, or the listener container
	 * (one the application made itself) cannot tell
	 */
	@Nullable ConsumerTimeout lastConsumerTimeout();

	/**
	 * Sends written and waiting for the broker's confirm.
	 * @return the count
	 */
	int sendsInFlight();

	/**
	 * Messages delivered and buffered for {@code receive()} and iteration, not yet handed
	 * out.
	 * @return the count
	 */
	int deliveriesBuffered();

	/**
	 * The RabbitMQ version of the broker the client is connected to, as the broker said
	 * when the connection opened (the last connection's, after a reconnect). Known from
	 * the first connect on; the client's version checks
	 * ({@link BrokerCompatibilityException}) go by it.
	 * @return the version, e.g. {@code 4.0.5}; empty until the client has connected, or
	 * if the broker did not say
	 */
	Optional<String> brokerVersion();

	/**
	 * The capabilities the broker announced when the connection opened, e.g.
	 * {@code publisher_confirms} or {@code per_consumer_qos}.
	 * @return the capability names, in order; empty until the client has connected
	 */
	Set<String> brokerCapabilities();

	/**
	 * The last time a connection could not be opened or was closed by the broker or the
	 * network.
	 * @return the failure, or {@code null} if there was none
	 */
	@Nullable ConnectionFailure lastConnectionFailure();

	/**
	 * Messages whose retry or dead-letter copy the broker did not store (unroutable,
	 * nacked, refused under an alarm, never confirmed), since the client was made. Each
	 * went back to its queue after a back-off rather than at once.
	 * @return the count
	 */
	long parkingFailures();

	/**
	 * Messages held now, unsettled, for their back-off after their copy was not stored.
	 * @return the count
	 */
	int deliveriesHeldUnparked();

	/**
	 * The last copy that was not stored, with the reason and the setting to fix.
	 * @return the failure, or {@code null} if there was none
	 */
	@Nullable ParkingFailure lastParkingFailure();

	/**
	 * Asks the broker: opens the connection if it is not open (as the client's next use
	 * would), and reads the server's version and, if the client consumes or declares its
	 * queue, the queue's depth and consumers.
	 * @return what the broker said
	 * @throws RabbitConnectionException if the broker cannot be reached; its message
	 * names the masked URL and the reason
	 */
	BrokerCheck checkBroker();

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
