package io.zephcast.rabbit.internal;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import io.zephcast.rabbit.BrokerBlockedException;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * The sending half of a {@link RabbitClient}: checks and encodes a message, refuses it at
 * once while the broker blocks publishing, and publishes it on the client's confirm-mode
 * channel.
 */
final class Publisher {

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final PayloadCodec codec;

	private final PublishingChannel channel;

	private final BlockedPublishing blockedPublishing;

	private final InFlight unconfirmed = new InFlight();

	private final ClientInstrumentation instrumentation;

	private final GuardedTask overdueSweep;

	Publisher(String streamName, RabbitConfig config, RabbitTopology topology, ConnectionFactory connectionFactory,
			PayloadCodec codec, ClientInstrumentation instrumentation, Executor callbacks) {
		this.config = config;
		this.instrumentation = instrumentation;
		this.topology = topology;
		this.codec = codec;
		ConnectionFactory publisherFactory = connectionFactory.getPublisherConnectionFactory();
		ConnectionFactory publishOn = (publisherFactory != null) ? publisherFactory : connectionFactory;
		// message ids are short (every byte is parsed and stored by the broker) and
		// unique: 64 random bits, the
		// channel's number and the message's publish sequence on it
		String idPrefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";
		this.channel = new PublishingChannel(streamName, publishOn, config.confirmTimeout(), config.publisher(),
				callbacks, this.unconfirmed, idPrefix, config.maskedAddresses());
		this.blockedPublishing = new BlockedPublishing(streamName);
		publishOn.addConnectionListener(this.blockedPublishing);
		this.overdueSweep = new GuardedTask("The confirm-timeout sweep of RabbitClient '" + streamName + "'",
				this.channel::failOverdue);
	}

	/**
	 * Encodes an application's message and publishes it, not instrumented: what
	 * {@link #send(Object, SendOptions)} times and observes.
	 */
	private CompletableFuture<Void> encodeAndPublish(Object payload, SendOptions options) {
		String exchange = this.topology.exchangeName();
		String routingKey = (options.routingKey() != null) ? options.routingKey() : this.topology.defaultRoutingKey();
		CompletableFuture<Void> refused = refusedWhileBlocked(options.messageId());
		if (refused != null) {
			return refused;
		}
		PayloadCodec.Outgoing message;
		try {
			message = this.codec.encode(payload, routingKey, options, this.config.durable());
		}
		catch (InvalidMessageException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		catch (RuntimeException ex) {
			// a send fails its future, it never throws
			return CompletableFuture.failedFuture(new InvalidMessageException(options.messageId(), "payload",
					"cannot be encoded: " + ex.getMessage(), ex));
		}
		return this.channel.publish(exchange, routingKey, message);
	}

	/**
	 * Publishes a copy of a delivered message (a retry or a dead letter), already
	 * encoded; not instrumented, since it is not the application's send.
	 * @return a future completed when the broker confirms it
	 */
	CompletableFuture<Void> republish(String exchange, String routingKey, PayloadCodec.Outgoing copy) {
		CompletableFuture<Void> refused = refusedWhileBlocked(copy.userMessageId());
		return (refused != null) ? refused : this.channel.publish(exchange, routingKey, copy);
	}

	/**
	 * A send or copy refused at once while the broker blocks publishing, instead of
	 * hanging in a socket write.
	 * @return the failed future, or {@code null} when publishing is not blocked
	 */
	private @Nullable CompletableFuture<Void> refusedWhileBlocked(@Nullable String messageId) {
		String blocked = this.blockedPublishing.reason();
		if (blocked == null) {
			return null;
		}
		return CompletableFuture.failedFuture(
				new BrokerBlockedException("Message " + messageId + " was not sent: the broker blocks publishing ("
						+ blocked + "); send it again once the alarm clears", messageId));
	}

	/**
	 * Sends an application's message ({@code RabbitClient.send}), timed and observed when
	 * the client has meters or observations. Of the publishing methods, the only one an
	 * application's send goes through: {@link #encodeAndPublish} is its uninstrumented
	 * part, {@link #republish} publishes a copy of a delivered message.
	 * @return a future completed when the broker confirms the message
	 */
	CompletableFuture<Void> send(Object payload, SendOptions options) {
		if (this.instrumentation.isOff()) {
			return encodeAndPublish(payload, options);
		}
		String routingKey = (options.routingKey() != null) ? options.routingKey() : this.topology.defaultRoutingKey();
		return this.instrumentation.send(this.topology.exchangeName(), routingKey, options,
				(sent) -> encodeAndPublish(payload, sent));
	}

	/** What the broker blocks publishing for, or {@code null}. */
	@Nullable String blockedReason() {
		return this.blockedPublishing.reason();
	}

	/**
	 * Fails the sends whose confirm is overdue; run by the client's timer, and never
	 * throws (a throw would end the timer's schedule of it).
	 */
	void failOverdue() {
		this.overdueSweep.run();
	}

	int unconfirmed() {
		return this.unconfirmed.get();
	}

	/**
	 * Waits for the outstanding confirms.
	 * @param deadline the {@link System#nanoTime()} to give up at
	 * @return whether all came in time
	 */
	boolean awaitConfirms(long deadline) {
		return this.unconfirmed.awaitZero(deadline);
	}

	/**
	 * Closes the channel: sends still unconfirmed fail, later sends fail without a
	 * connection.
	 */
	void close() {
		this.channel.close();
	}

}
