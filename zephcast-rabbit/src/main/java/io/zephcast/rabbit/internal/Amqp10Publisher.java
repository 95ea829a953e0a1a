package io.zephcast.rabbit.internal;

import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import com.rabbitmq.client.amqp.Resource;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.rabbit.UnroutableMessageException;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The sending half of an AMQP 1.0 client: one publisher link without a target (each
 * message carries its address: {@code /exchanges/<exchange>/<key>}, or
 * {@code /queues/<queue>} through the default exchange), whose sends complete with the
 * broker's settlement: {@code accepted} completes the future, {@code released} (RabbitMQ
 * 4 releases what no queue takes) fails it with {@link UnroutableMessageException},
 * {@code rejected} (a full queue that rejects publishes, an invalid message) with
 * {@link SendFailedException} ({@link Reason#NACKED}). A settlement that does not come
 * within the confirm timeout fails the send as {@link Reason#TIMEOUT}. Futures complete
 * on the callback executor, never on the AMQP client's threads. At most
 * {@code publisher.maxInFlight} sends await their settlement; a send waits up to
 * {@code publisher.maxBlock} for room.
 * <p>
 * The message is durable unless {@code durable=false}, has a message id (the
 * application's or a generated one), creation time, content type and encoding, the
 * correlation id, and the send's headers as application properties, converted as over
 * AMQP 0-9-1 (see {@link Amqp10Messages}).
 */
final class Amqp10Publisher {

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final PayloadCodec codec;

	private final ClientInstrumentation instrumentation;

	private final Executor callbacks;

	private final Semaphore room;

	private final InFlight unsettled = new InFlight();

	private final String idPrefix = Long.toUnsignedString(new SecureRandom().nextLong(), 36) + "-";

	private final AtomicLong sequence = new AtomicLong();

	private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

	/** Settled sends waiting for {@link #drainSettled()} to complete them. */
	private final ConcurrentLinkedQueue<Settled> settledSends = new ConcurrentLinkedQueue<>();

	/** Whether a {@link #drainSettled()} task is queued or running. */
	private final AtomicBoolean draining = new AtomicBoolean();

	private final String streamName;

	private volatile @Nullable Publisher publisher;

	/**
	 * The link the client closed for good (a recovery that failed to attach it again), to
	 * replace by {@link #reopenIfLost}.
	 */
	private volatile @Nullable Publisher lost;

	private @Nullable ScheduledExecutorService timer;

	Amqp10Publisher(String streamName, RabbitConfig config, RabbitTopology topology, PayloadCodec codec,
			ClientInstrumentation instrumentation, Executor callbacks) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.codec = codec;
		this.instrumentation = instrumentation;
		this.callbacks = callbacks;
		this.room = new Semaphore(config.publisher().maxInFlight());
	}

	/**
	 * Opens the publisher link on the connection, and the timer that fails the sends
	 * whose settlement is overdue.
	 */
	synchronized void open(Connection connection) {
		if (this.publisher == null) {
			this.publisher = link(connection);
		}
		if (this.timer == null) {
			CustomizableThreadFactory threads = new CustomizableThreadFactory(
					"zephcast-" + this.streamName + "-timer-");
			threads.setDaemon(true);
			this.timer = Executors.newSingleThreadScheduledExecutor(threads);
			long sweepMillis = Math.max(10, Math.min(1000, this.config.confirmTimeout().toMillis() / 4));
			this.timer.scheduleWithFixedDelay(this::failOverdue, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
		}
	}

	/** On the client's thread: a link closed while it is the current one is lost. */
	private void linkState(Resource.Context context) {
		if (context.currentState() == Resource.State.CLOSED && context.resource() == this.publisher) {
			this.lost = (Publisher) context.resource();
		}
	}

	/** Whether the client closed the current link for good. */
	boolean isLost() {
		Publisher current = this.publisher;
		return current != null && this.lost == current;
	}

	/**
	 * Opens a new link if the client closed the current one for good: after a recovery,
	 * once what it needs has been declared again.
	 * @param connection the recovered connection
	 */
	synchronized void reopenIfLost(Connection connection) {
		Publisher current = this.publisher;
		if (current == null || this.lost != current) {
			return;
		}
		reopen(connection);
	}

	/**
	 * Moves to a new link on the connection (a new one, the old one closed).
	 * @param connection the connection
	 */
	synchronized void reopen(Connection connection) {
		// built first: if it fails, the link stays lost and the next repair tries again
		this.publisher = link(connection);
		this.lost = null;
	}

	private Publisher link(Connection connection) {
		return connection.publisherBuilder()
			.publishTimeout(this.config.publisher().maxBlock())
			.listeners(this::linkState)
			.build();
	}

	/**
	 * Fails the sends not settled within the confirm timeout. Sends are queued in the
	 * order they were sent, so their deadlines (one timeout for all) come in order too:
	 * the sweep stops at the first that is not yet due. Never throws (it would end the
	 * schedule).
	 */
	private void failOverdue() {
		try {
			long now = System.nanoTime();
			for (Pending head = this.pending.peek(); head != null; head = this.pending.peek()) {
				if (!head.settled().get() && head.deadline() - now > 0) {
					return;
				}
				this.pending.poll();
				if (head.settled().compareAndSet(false, true)) {
					complete(head.result(), new SendFailedException("Message " + head.messageId() + " to "
							+ where(head.exchange(), head.routingKey())
							+ " was not confirmed in time (it may have been stored): no confirm from the broker within "
							+ this.config.confirmTimeout()
							+ " (confirmTimeout): the broker did not settle it, or its settlement was lost",
							head.messageId(), Reason.TIMEOUT, null));
				}
			}
		}
		catch (RuntimeException ex) {
			// the next sweep tries again
		}
	}

	/** Sends an application's message, instrumented like over AMQP 0-9-1. */
	CompletableFuture<Void> send(Object payload, SendOptions options) {
		if (this.instrumentation.isOff()) {
			return encodeAndPublish(payload, options);
		}
		return this.instrumentation.send(this.topology.exchangeName(), routingKey(options), options,
				(sent) -> encodeAndPublish(payload, sent));
	}

	private String routingKey(SendOptions options) {
		return (options.routingKey() != null) ? options.routingKey() : this.topology.defaultRoutingKey();
	}

	private CompletableFuture<Void> encodeAndPublish(Object payload, SendOptions options) {
		String exchange = this.topology.exchangeName();
		String routingKey = routingKey(options);
		String messageId = (options.messageId() != null) ? options.messageId()
				: this.idPrefix + Long.toString(this.sequence.incrementAndGet(), 36);
		Publisher current = this.publisher;
		if (current == null) {
			return CompletableFuture.failedFuture(
					new SendFailedException("Message " + messageId + " was not sent: the client is not connected",
							messageId, Reason.NOT_SENT, null));
		}
		Message message;
		try {
			PayloadCodec.Outgoing encoded = this.codec.encode(payload, routingKey, options, this.config.durable());
			if (encoded.body().length > this.config.publisher().maxMessageSize()) {
				throw new InvalidMessageException(messageId, "payload",
						"is " + encoded.body().length
								+ " bytes, more than the largest message the broker takes (publisher.maxMessageSize: "
								+ this.config.publisher().maxMessageSize() + " bytes)",
						null);
			}
			message = Amqp10Messages.message(current, this.codec, encoded, options, messageId, exchange, routingKey,
					this.config.durable());
		}
		catch (InvalidMessageException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(
					new InvalidMessageException(messageId, "payload", "cannot be encoded: " + ex.getMessage(), ex));
		}
		if (!takeRoom()) {
			return CompletableFuture.failedFuture(new SendFailedException("Message " + messageId + " to "
					+ where(exchange, routingKey) + " was not sent: " + this.config.publisher().maxInFlight()
					+ " sends await the broker's settlement (publisher.maxInFlight) and none was settled within "
					+ this.config.publisher().maxBlock() + " (publisher.maxBlock)", messageId, Reason.NOT_SENT, null));
		}
		CompletableFuture<Void> result = new CompletableFuture<>();
		AtomicBoolean settled = new AtomicBoolean();
		this.unsettled.increment();
		this.pending.add(new Pending(System.nanoTime() + this.config.confirmTimeout().toNanos(), settled, result,
				messageId, exchange, routingKey));
		try {
			current.publish(message, (context) -> {
				if (settled.compareAndSet(false, true)) {
					SendFailedException failure = failure(context.status(), context.failureCause(), messageId, exchange,
							routingKey);
					complete(result, failure);
				}
			});
		}
		catch (RuntimeException ex) {
			if (settled.compareAndSet(false, true)) {
				complete(result,
						new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
								+ " was not sent: " + Amqp10Connection.rootMessage(ex), messageId, Reason.NOT_SENT,
								ex));
			}
			return result;
		}
		return result;
	}

	private @Nullable SendFailedException failure(Publisher.Status status, @Nullable Throwable cause, String messageId,
			String exchange, String routingKey) {
		// the client (1.5.0) gives a broker's rejection a cause of its own: that is an
		// outcome, not a failed link
		if (cause != null && !(status == Publisher.Status.REJECTED
				&& cause instanceof AmqpException.AmqpMessageRejectedException)) {
			return new SendFailedException(
					"Message " + messageId + " to " + where(exchange, routingKey)
							+ " was not confirmed (it may have been stored): the link or connection failed before the "
							+ "broker settled it (" + Amqp10Connection.rootMessage(cause) + ")",
					messageId, Reason.CONNECTION_LOST, cause);
		}
		return switch (status) {
			case ACCEPTED -> null;
			case RELEASED -> new UnroutableMessageException(messageId, exchange, routingKey, 312,
					"NO_ROUTE: the broker released the message");
			case REJECTED -> new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
					+ " was rejected by the broker: it took no responsibility for it (a full queue that rejects "
					+ "publishes, or a message the broker refuses)", messageId, Reason.NACKED, null);
		};
	}

	private static String where(String exchange, String routingKey) {
		return exchange.isEmpty() ? "queue '" + routingKey + "'"
				: "exchange '" + exchange + "' with routing key '" + routingKey + "'";
	}

	private boolean takeRoom() {
		if (this.room.tryAcquire()) {
			return true;
		}
		try {
			return this.room.tryAcquire(this.config.publisher().maxBlock().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Completes on the callback executor: the settlement arrives on the client's thread.
	 */
	/**
	 * Completes a settled send on the callback executor, never on the client's I/O
	 * thread. The broker settles AMQP 1.0 sends one by one (0-9-1 confirms come in
	 * batches), so settled sends are queued and drained by one task at a time: a burst of
	 * settlements costs one hand-off to the executor, not one each.
	 */
	private void complete(CompletableFuture<Void> result, @Nullable SendFailedException failure) {
		this.settledSends.add(new Settled(result, failure));
		if (this.draining.compareAndSet(false, true)) {
			try {
				this.callbacks.execute(this::drainSettled);
			}
			catch (RuntimeException ex) {
				// the callback pool is gone (closing): complete here rather than never
				drainSettled();
			}
		}
	}

	private void drainSettled() {
		do {
			for (Settled next = this.settledSends.poll(); next != null; next = this.settledSends.poll()) {
				settle(next.result(), next.failure());
			}
			this.draining.set(false);
			// a send settled after the last poll and before the flag was cleared found
			// the drain running and left it to this one
		}
		while (!this.settledSends.isEmpty() && this.draining.compareAndSet(false, true));
	}

	private void settle(CompletableFuture<Void> result, @Nullable SendFailedException failure) {
		this.room.release();
		this.unsettled.decrement();
		if (failure == null) {
			result.complete(null);
		}
		else {
			result.completeExceptionally(failure);
		}
	}

	int unsettled() {
		return this.unsettled.get();
	}

	boolean awaitSettlements(long deadline) {
		return this.unsettled.awaitZero(deadline);
	}

	/**
	 * Closes the link and the timer; sends not yet settled fail as "may have been
	 * stored".
	 */
	synchronized void close() {
		Publisher current = this.publisher;
		this.publisher = null;
		if (current != null) {
			try {
				current.close();
			}
			catch (RuntimeException ex) {
				// the connection closes it anyway
			}
		}
		if (this.timer != null) {
			this.timer.shutdownNow();
			this.timer = null;
		}
		for (Pending send = this.pending.poll(); send != null; send = this.pending.poll()) {
			if (send.settled().compareAndSet(false, true)) {
				complete(send.result(),
						new SendFailedException("Message " + send.messageId() + " to "
								+ where(send.exchange(), send.routingKey())
								+ " was not confirmed (it may have been stored): the client closed before the broker "
								+ "settled it", send.messageId(), Reason.CONNECTION_LOST, null));
			}
		}
	}

	/** A send awaiting its settlement, in the order sent. */
	private record Pending(long deadline, AtomicBoolean settled, CompletableFuture<Void> result, String messageId,
			String exchange, String routingKey) {

	}

	/** A send the broker settled, or that failed, waiting to be completed. */
	private record Settled(CompletableFuture<Void> result, @Nullable SendFailedException failure) {
	}

}
