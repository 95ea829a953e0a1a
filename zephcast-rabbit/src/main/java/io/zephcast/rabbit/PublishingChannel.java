package io.zephcast.rabbit;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

import io.zephcast.rabbit.SendFailedException.Reason;

/**
 * The one channel a client publishes on, mandatory and with publisher confirms, reopened
 * when it closes. Each send's future completes from the broker's confirm, on the callback
 * executor (never on the connection's I/O thread).
 * <p>
 * {@code RabbitTemplate.send} checks a channel out of the cache per message, and a
 * confirm-mode channel goes back only once all its confirms are in: with many sends in
 * flight the template keeps opening channels; its correlation headers (about 150 bytes a
 * message) and per-message maps cost as much again. Here the channel is a plain
 * amqp-client channel of the publisher connection, and the bookkeeping is the client's:
 * <ul>
 * <li><b>Confirms</b> are matched by the channel's publish sequence as the broker counts
 * it: the client numbers only the messages it actually wrote. amqp-client advances its
 * own sequence before it encodes a message, so a publish the encoder refuses (which
 * writes nothing) would shift every later confirm onto the wrong send; here it is not
 * counted.</li>
 * <li><b>Returns</b> are matched by the same sequence, carried in the message: a
 * generated message id ends with it, and a message with the application's own id carries
 * it in the {@value #TAG_HEADER} header. A look-up, never a scan, and never by the
 * application's message id (two sends may share one).</li>
 * </ul>
 */
final class PublishingChannel {

	/** Carries the publish sequence of a message whose id the application chose. */
	static final String TAG_HEADER = "zephcast-publish-tag";

	private final ConnectionFactory connectionFactory;

	private final long confirmTimeoutNanos;

	private final String overdueReason;

	private final Executor callbacks;

	private final InFlight unconfirmed;

	private final String idPrefix;

	/** Where the client connects (masked), named when no channel can be opened. */
	private final String broker;

	/**
	 * Makes numbering a message and writing it one step, and guards opening and closing.
	 */
	private final ReentrantLock lock = new ReentrantLock();

	/** Written under the lock; read by the confirm-timeout sweep without it. */
	private volatile @Nullable Lane lane;

	private long lanes;

	private boolean closed;

	PublishingChannel(ConnectionFactory connectionFactory, Duration confirmTimeout, Executor callbacks,
			InFlight unconfirmed, String idPrefix, String broker) {
		this.connectionFactory = connectionFactory;
		this.broker = broker;
		this.confirmTimeoutNanos = confirmTimeout.toNanos();
		this.overdueReason = "no confirm from the broker within " + confirmTimeout;
		this.callbacks = callbacks;
		this.unconfirmed = unconfirmed;
		this.idPrefix = idPrefix;
	}

	/**
	 * Publishes the message.
	 * @return a future completed when the broker confirms, or exceptionally with a
	 * {@link SendFailedException} whose reason says whether the message may be stored
	 */
	CompletableFuture<Void> publish(String exchange, String routingKey, PayloadCodec.Outgoing message) {
		CompletableFuture<Void> result = new CompletableFuture<>();
		this.lock.lock();
		try {
			if (this.closed) {
				result.completeExceptionally(new SendFailedException(
						"Message " + message.userMessageId() + " was not sent: the client is closed",
						message.userMessageId(), Reason.NOT_SENT, null));
				return result;
			}
			Lane current;
			try {
				current = lane();
			}
			catch (AmqpException | IOException ex) {
				result.completeExceptionally(new SendFailedException(
						"Message " + message.userMessageId() + " to exchange '" + exchange + "' with routing key '"
								+ routingKey + "' was not sent: no channel to publish on (RabbitMQ at " + this.broker
								+ ": " + BrokerErrors.rootMessage(ex) + ")",
						message.userMessageId(), Reason.NOT_SENT, ex));
				return result;
			}
			current.publish(exchange, routingKey, message, result);
		}
		finally {
			this.lock.unlock();
		}
		return result;
	}

	private Lane lane() throws IOException {
		Lane current = this.lane;
		if (current == null || !current.channel.isOpen()) {
			// a plain channel of the (publisher) connection: no publisher-callback
			// wrapper
			Channel channel = this.connectionFactory.createConnection().getDelegate().createChannel();
			if (channel == null) {
				throw new IOException("the broker has no channel left for publishing");
			}
			channel.confirmSelect();
			current = new Lane(channel, this.idPrefix + Long.toString(++this.lanes, 36) + ".");
			this.lane = current;
		}
		return current;
	}

	/**
	 * Fails, as "may have been stored", the sends the broker has not confirmed within the
	 * confirm timeout, so no send waits forever, even when its connection died silently
	 * or the broker blocks publishing. Sends are pending in publish order, so the sweep
	 * stops at the first one not yet due.
	 */
	void failOverdue() {
		Lane current = this.lane;
		if (current == null) {
			return;
		}
		List<PendingSend> overdue = current.pending.removeOverdue(System.nanoTime());
		if (!overdue.isEmpty()) {
			settle(overdue, Reason.TIMEOUT, this.overdueReason);
		}
	}

	/**
	 * Closes the channel for good: sends still unconfirmed fail as "may have been
	 * stored", and later sends fail without opening anything.
	 */
	void close() {
		this.lock.lock();
		try {
			this.closed = true;
			if (this.lane != null && this.lane.channel.isOpen()) {
				this.lane.channel.close();
			}
		}
		catch (IOException | TimeoutException | ShutdownSignalException ex) {
			// closed already
		}
		finally {
			this.lane = null;
			this.lock.unlock();
		}
	}

	/**
	 * Completes settled sends on the callback executor: a user's callback must not run on
	 * (and block) the connection's I/O thread, which reads every confirm.
	 * @param settled the sends, in publish order
	 * @param failure why they failed, or {@code null} for a broker ack
	 * @param detail the broker's or the client's words
	 */
	private void settle(List<PendingSend> settled, @Nullable Reason failure, @Nullable String detail) {
		Runnable completion = () -> {
			for (PendingSend pending : settled) {
				pending.complete(failure, detail);
				this.unconfirmed.decrement();
			}
		};
		try {
			this.callbacks.execute(completion);
		}
		catch (RejectedExecutionException ex) {
			// the client is closing and its callback pool is gone: complete here
			completion.run();
		}
	}

	/** One channel and the sends it has not had confirmed yet, by publish sequence. */
	private final class Lane implements ConfirmListener, ReturnListener, ShutdownListener {

		private final Channel channel;

		private final String idPrefix;

		private final PendingSends pending = new PendingSends();

		/**
		 * Retry and dead-letter copies in flight, by message id: their returns are
		 * matched by it, so that they carry no {@value #TAG_HEADER} into the queues other
		 * clients read. A copy whose id is already in flight is tagged as usual.
		 */
		private final Map<String, Long> copies = new ConcurrentHashMap<>();

		/**
		 * Messages written on this channel: the broker's count, which its confirms refer
		 * to.
		 */
		private long written;

		Lane(Channel channel, String idPrefix) {
			this.channel = channel;
			this.idPrefix = idPrefix;
			channel.addConfirmListener(this);
			channel.addReturnListener(this);
			channel.addShutdownListener(this);
		}

		/** Called under the lock. */
		void publish(String exchange, String routingKey, PayloadCodec.Outgoing message,
				CompletableFuture<Void> result) {
			long tag = this.written + 1;
			String userId = message.userMessageId();
			String messageId = (userId != null) ? userId : this.idPrefix + Long.toString(tag, 36);
			AMQP.BasicProperties.Builder properties = message.properties().messageId(messageId);
			if (userId != null) {
				Map<String, Object> headers = (message.headers() != null) ? message.headers() : new HashMap<>(2);
				if (!untaggedCopy(userId, tag, headers, result)) {
					headers.put(TAG_HEADER, tag);
				}
				properties.headers(headers);
			}
			else if (message.headers() != null) {
				properties.headers(message.headers());
			}
			PendingSend sent = new PendingSend(result, messageId, exchange, routingKey,
					System.nanoTime() + PublishingChannel.this.confirmTimeoutNanos);
			PublishingChannel.this.unconfirmed.increment();
			this.pending.add(tag, sent);
			try {
				this.channel.basicPublish(exchange, routingKey, true, properties.build(), message.body());
				this.written = tag;
			}
			catch (IOException ex) {
				// the socket write failed part-way or after: the broker may have the
				// message; the
				// connection is failing, and its shutdown (or the confirm timeout)
				// settles the send
				this.written = tag;
			}
			catch (AlreadyClosedException ex) {
				unpublished(tag);
				result.completeExceptionally(new SendFailedException(
						"Message " + messageId + " to exchange '" + exchange + "' with routing key '" + routingKey
								+ "' was not sent: the channel closed (" + BrokerErrors.rootMessage(ex) + ")",
						messageId, Reason.NOT_SENT, ex));
			}
			catch (RuntimeException ex) {
				// refused by the encoder before anything was written: the broker never
				// counted it
				unpublished(tag);
				result.completeExceptionally(new InvalidMessageException(messageId, "properties",
						"cannot be encoded: " + ex.getMessage(), ex));
			}
		}

		/**
		 * Whether the message is a copy ({@link FailedMessages}) whose returns can be
		 * matched by its id, kept until its send completes (after any return).
		 */
		private boolean untaggedCopy(String messageId, long tag, Map<String, Object> headers,
				CompletableFuture<Void> result) {
			if (!headers.containsKey(MessageHeaders.ORIGINAL_EXCHANGE)
					|| this.copies.putIfAbsent(messageId, tag) != null) {
				return false;
			}
			result.whenComplete((ignored, failure) -> this.copies.remove(messageId, tag));
			return true;
		}

		private void unpublished(long tag) {
			this.pending.remove(tag);
			PublishingChannel.this.unconfirmed.decrement();
		}

		@Override
		public void handleAck(long deliveryTag, boolean multiple) {
			settle(deliveryTag, multiple, null);
		}

		@Override
		public void handleNack(long deliveryTag, boolean multiple) {
			settle(deliveryTag, multiple, Reason.NACKED);
		}

		private void settle(long deliveryTag, boolean multiple, @Nullable Reason failure) {
			List<PendingSend> settled = multiple ? this.pending.removeUpTo(deliveryTag) : removeOne(deliveryTag);
			if (!settled.isEmpty()) {
				PublishingChannel.this.settle(settled, failure, null);
			}
		}

		private List<PendingSend> removeOne(long tag) {
			PendingSend one = this.pending.remove(tag);
			return (one != null) ? List.of(one) : List.of();
		}

		/** Comes before the confirm of the same message, on the same thread. */
		@Override
		public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
				AMQP.BasicProperties properties, byte[] body) {
			Long tag = tagOf(properties);
			PendingSend returned = (tag != null) ? this.pending.get(tag) : null;
			if (returned != null) {
				returned.returned(replyCode, replyText);
			}
		}

		private @Nullable Long tagOf(AMQP.BasicProperties properties) {
			Object header = (properties.getHeaders() != null) ? properties.getHeaders().get(TAG_HEADER) : null;
			if (header instanceof Number number) {
				return number.longValue();
			}
			String messageId = properties.getMessageId();
			// before the id's own sequence: a copy of a message this lane sent keeps that
			// message's id
			Long copy = (messageId != null) ? this.copies.get(messageId) : null;
			if (copy != null) {
				return copy;
			}
			if (messageId != null && messageId.startsWith(this.idPrefix)) {
				try {
					return Long.parseLong(messageId.substring(this.idPrefix.length()), 36);
				}
				catch (NumberFormatException ex) {
					return null;
				}
			}
			return null;
		}

		@Override
		public void shutdownCompleted(ShutdownSignalException cause) {
			List<PendingSend> lost = this.pending.removeUpTo(Long.MAX_VALUE);
			if (!lost.isEmpty()) {
				PublishingChannel.this.settle(lost, Reason.CONNECTION_LOST,
						"the publishing channel closed before the broker confirmed (" + cause.getMessage() + ")");
			}
		}

	}

}
