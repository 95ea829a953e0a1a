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
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import io.zephcast.rabbit.SendOptions;
import io.zephcast.rabbit.UnroutableMessageException;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The sending half of an AMQP 1.0 client: a publisher link attached to the stream's
 * default address for the sends to it, and one without a target for the sends with
 * another routing key, whose messages carry their address:
 * {@code /exchanges/<exchange>/<key>}, or {@code /queues/<queue>} through the default
 * exchange (see {@link Amqp10PublisherLinks}). Sends complete with the broker's
 * settlement: {@code accepted} completes the future, {@code released} (RabbitMQ 4
 * releases what no queue takes) fails it with {@link UnroutableMessageException},
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
	private final ConcurrentLinkedQueue<Pending> settledSends = new ConcurrentLinkedQueue<>();

	/** Whether a {@link #drainSettled()} task is queued or running. */
	private final AtomicBoolean draining = new AtomicBoolean();

	private final String streamName;

	private final Amqp10PublisherLinks links;

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
		this.links = new Amqp10PublisherLinks(config, topology);
	}

	/**
	 * Opens the publisher links on the connection (after the topology was declared), and
	 * the timer that fails the sends whose settlement is overdue.
	 */
	synchronized void open(Connection connection) {
		this.links.open(connection);
		if (this.timer == null) {
			CustomizableThreadFactory threads = new CustomizableThreadFactory(
					"zephcast-" + this.streamName + "-timer-");
			threads.setDaemon(true);
			this.timer = Executors.newSingleThreadScheduledExecutor(threads);
			long sweepMillis = Math.max(10, Math.min(1000, this.config.confirmTimeout().toMillis() / 4));
			this.timer.scheduleWithFixedDelay(this::failOverdue, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
		}
	}

	/** Whether the client closed a current link for good. */
	boolean isLost() {
		return this.links.isLost();
	}

	/**
	 * Opens new links if the client closed one for good: after a recovery, once what they
	 * need has been declared again.
	 * @param connection the recovered connection
	 */
	synchronized void reopenIfLost(Connection connection) {
		this.links.reopenIfLost(connection);
	}

	/**
	 * Moves to new links on the connection (new ones, the old ones closed).
	 * @param connection the connection
	 */
	synchronized void reopen(Connection connection) {
		this.links.reopen(connection);
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
				if (!head.get() && head.deadline - now > 0) {
					return;
				}
				this.pending.poll();
				if (head.compareAndSet(false, true)) {
					complete(head, new SendFailedException("Message " + head.messageId + " to "
							+ where(head.exchange, head.routingKey)
							+ " was not confirmed in time (it may have been stored): no confirm from the broker within "
							+ this.config.confirmTimeout()
							+ " (confirmTimeout): the broker did not settle it, or its settlement was lost",
							head.messageId, Reason.TIMEOUT, null));
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
		Publisher toDefault = (options.routingKey() == null
				|| options.routingKey().equals(this.topology.defaultRoutingKey())) ? this.links.toDefaultAddress()
						: null;
		Publisher current = (toDefault != null) ? toDefault : this.links.anonymous();
		if (current == null) {
			return CompletableFuture.failedFuture(
					new SendFailedException("Message " + messageId + " was not sent: the client is not connected",
							messageId, Reason.NOT_SENT, null));
		}
		Message message;
		try {
			PayloadCodec.Body encoded = this.codec.encodeBody(payload, routingKey, options);
			if (encoded.body().length > this.config.publisher().maxMessageSize()) {
				throw new InvalidMessageException(messageId, "payload",
						"is " + encoded.body().length
								+ " bytes, more than the largest message the broker takes (publisher.maxMessageSize: "
								+ this.config.publisher().maxMessageSize() + " bytes)",
						null);
			}
			message = Amqp10Messages.message(current, this.codec, encoded, options, messageId, this.config.durable());
			if (toDefault == null) {
				message = Amqp10Messages.address(message, exchange, routingKey);
			}
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
		Pending send = new Pending(System.nanoTime() + this.config.confirmTimeout().toNanos(), messageId, exchange,
				routingKey);
		this.unsettled.increment();
		this.pending.add(send);
		try {
			try {
				publish(current, message, send);
			}
			catch (AmqpException.AmqpResourceClosedException | AmqpException.AmqpEntityDoesNotExistException ex) {
				Publisher anonymous = this.links.anonymous();
				if (toDefault == null || anonymous == null) {
					throw ex;
				}
				// the default-address link was closed or detached (its exchange or queue
				// deleted) before its listener told: the client refused the message
				// before sending it, the other link sends it
				publish(anonymous, Amqp10Messages.address(message, exchange, routingKey), send);
			}
		}
		catch (RuntimeException ex) {
			if (send.compareAndSet(false, true)) {
				complete(send,
						new SendFailedException("Message " + messageId + " to " + where(exchange, routingKey)
								+ " was not sent: " + Amqp10Connection.rootMessage(ex), messageId, Reason.NOT_SENT,
								ex));
			}
		}
		return send.result;
	}

	private void publish(Publisher link, Message message, Pending send) {
		// the AMQP 1.0 client runs this on the callback executor (Amqp10Connection gives
		// it as the publishers' executor), off its I/O thread: the future completes here,
		// without another hand-off
		link.publish(message, (context) -> {
			if (send.compareAndSet(false, true)) {
				settle(send.result, failure(context.status(), context.failureCause(), send.messageId, send.exchange,
						send.routingKey));
			}
		});
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
	 * Completes a send failed off the callback executor (by the timeout sweep, a failed
	 * publish, close) on the callback executor. Such failures come in bursts (a
	 * connection loss fails every send in flight), so they are queued and drained by one
	 * task at a time: a burst costs one hand-off to the executor, not one each.
	 */
	private void complete(Pending send, @Nullable SendFailedException failure) {
		send.failure = failure;
		this.settledSends.add(send);
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
			for (Pending next = this.settledSends.poll(); next != null; next = this.settledSends.poll()) {
				settle(next.result, next.failure);
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
		this.links.close();
		if (this.timer != null) {
			this.timer.shutdownNow();
			this.timer = null;
		}
		for (Pending send = this.pending.poll(); send != null; send = this.pending.poll()) {
			if (send.compareAndSet(false, true)) {
				complete(send,
						new SendFailedException("Message " + send.messageId + " to "
								+ where(send.exchange, send.routingKey)
								+ " was not confirmed (it may have been stored): the client closed before the broker "
								+ "settled it", send.messageId, Reason.CONNECTION_LOST, null));
			}
		}
	}

	/**
	 * A send awaiting its settlement, in the order sent; set once settled (by the broker,
	 * the timeout or close, whichever comes first), then queued with its outcome for
	 * {@link #drainSettled()}. One object per send: the settled flag, the timeout sweep's
	 * entry and the drain's.
	 */
	@SuppressWarnings("serial")
	private static final class Pending extends AtomicBoolean {

		final long deadline;

		final CompletableFuture<Void> result = new CompletableFuture<>();

		final String messageId;

		final String exchange;

		final String routingKey;

		/** Written before the send is queued for the drain, read after. */
		@Nullable SendFailedException failure;

		Pending(long deadline, String messageId, String exchange, String routingKey) {
			this.deadline = deadline;
			this.messageId = messageId;
			this.exchange = exchange;
			this.routingKey = routingKey;
		}

	}

}
