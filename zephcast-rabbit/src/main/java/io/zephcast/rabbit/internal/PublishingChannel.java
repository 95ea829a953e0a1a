package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.Channel;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.PublisherOptions;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The one channel a client publishes on, mandatory and with publisher confirms, reopened
 * when it closes. Each send's future completes from the broker's confirm, on the callback
 * executor (never on the connection's I/O thread).
 * <p>
 * {@code RabbitTemplate.send} checks a channel out of the cache per message, and a
 * confirm-mode channel goes back only once all its confirms are in: with many sends in
 * flight the template keeps opening channels; its correlation headers (about 150 bytes a
 * message) and per-message maps cost as much again. Here the channel is a plain
 * amqp-client channel of the publisher connection ({@link PublishLane}), and the
 * bookkeeping is the client's.
 * <p>
 * A send never opens the connection or the channel on its caller's thread: against a
 * broker that swallows packets, opening waits for the connection and handshake timeouts,
 * and every caller (and close, behind them) would wait in turn. Sends made while no
 * channel is open wait in order, within the confirm timeout, while one background thread
 * opens it; they are written as soon as it is open, and fail as not sent when it cannot
 * be opened.
 */
final class PublishingChannel implements PublishLane.Owner {

	private final ConnectionFactory connectionFactory;

	private final long confirmTimeoutNanos;

	private final String overdueReason;

	private final Executor callbacks;

	private final InFlight unconfirmed;

	private final String idPrefix;

	/** Where the client connects (masked), named when no channel can be opened. */
	private final String broker;

	/**
	 * Room for sends in flight: taken before a send is accepted, given back when it
	 * leaves its lane or the waiting line (before its future completes, so that a sender
	 * on the callback pool never waits for the pool).
	 */
	private final Semaphore room;

	private final PublisherOptions limits;

	/** Opens the channel off the senders' threads; its one thread ends when idle. */
	private final ThreadPoolExecutor opener;

	/**
	 * Makes numbering a message and writing it one step, and guards the lane, the waiting
	 * sends and closing. Never held while the network is waited for, except by a socket
	 * write.
	 */
	private final ReentrantLock lock = new ReentrantLock();

	/** Written under the lock; read by the confirm-timeout sweep without it. */
	private volatile @Nullable PublishLane lane;

	/** Sends made while no channel was open, in send order. */
	private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

	private boolean opening;

	private long lanes;

	private boolean closed;

	PublishingChannel(String streamName, ConnectionFactory connectionFactory, Duration confirmTimeout,
			PublisherOptions limits, Executor callbacks, InFlight unconfirmed, String idPrefix, String broker) {
		this.connectionFactory = connectionFactory;
		this.broker = broker;
		this.confirmTimeoutNanos = confirmTimeout.toNanos();
		this.overdueReason = "no confirm from the broker within " + confirmTimeout;
		this.callbacks = callbacks;
		this.unconfirmed = unconfirmed;
		this.idPrefix = idPrefix;
		this.limits = limits;
		this.room = new Semaphore(limits.maxInFlight());
		CustomizableThreadFactory threads = new CustomizableThreadFactory("zephcast-" + streamName + "-publisher-");
		threads.setDaemon(true);
		this.opener = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
	}

	/**
	 * Publishes the message, or has it wait for the channel to open. Never waits for the
	 * network; waits up to {@link PublisherOptions#maxBlock()} for room when
	 * {@link PublisherOptions#maxInFlight()} sends are in flight.
	 * @return a future completed when the broker confirms, or exceptionally with a
	 * {@link SendFailedException} whose reason says whether the message may be stored
	 */
	CompletableFuture<Void> publish(String exchange, String routingKey, PayloadCodec.Outgoing message) {
		CompletableFuture<Void> result = new CompletableFuture<>();
		SendFailedException refused = refused(exchange, routingKey, message);
		if (refused != null) {
			result.completeExceptionally(refused);
			return result;
		}
		long deadline = System.nanoTime() + this.confirmTimeoutNanos;
		this.lock.lock();
		try {
			if (this.closed) {
				this.room.release();
				result.completeExceptionally(new SendFailedException(
						"Message " + message.userMessageId() + " was not sent: the client is closed",
						message.userMessageId(), Reason.NOT_SENT, null));
				return result;
			}
			this.unconfirmed.increment();
			PublishLane current = this.lane;
			if (current != null && current.isOpen() && this.waiting.isEmpty()) {
				current.publish(exchange, routingKey, message, result, deadline);
				return result;
			}
			this.waiting.add(new Waiting(exchange, routingKey, message, result, deadline));
			if (!this.opening) {
				this.opening = true;
				this.opener.execute(this::open);
			}
		}
		catch (RejectedExecutionException ex) {
			// closed meanwhile: close fails what waits
			this.opening = false;
		}
		finally {
			this.lock.unlock();
		}
		return result;
	}

	/**
	 * Checks the body's size and takes room for the send: a fast {@code tryAcquire}, then
	 * a wait of at most {@code maxBlock}.
	 * @return why the send is refused (nothing taken), or {@code null} when it has room
	 */
	private @Nullable SendFailedException refused(String exchange, String routingKey, PayloadCodec.Outgoing message) {
		String messageId = message.userMessageId();
		int size = message.body().length;
		if (size > this.limits.maxMessageSize()) {
			// the broker would close the shared channel for it, failing every send in
			// flight with it as "may have been stored"
			return new InvalidMessageException(messageId, "payload",
					"is " + size + " bytes, more than the largest message the broker takes (publisher.maxMessageSize: "
							+ this.limits.maxMessageSize() + " bytes)",
					null);
		}
		if (this.room.tryAcquire()) {
			return null;
		}
		try {
			if (this.room.tryAcquire(this.limits.maxBlock().toNanos(), TimeUnit.NANOSECONDS)) {
				return null;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return new SendFailedException("Message " + messageId + " to exchange '" + exchange + "' with routing key '"
				+ routingKey + "' was not sent: " + this.limits.maxInFlight()
				+ " sends await the broker's confirm (publisher.maxInFlight) and none was settled within "
				+ this.limits.maxBlock() + " (publisher.maxBlock)", messageId, Reason.NOT_SENT, null);
	}

	/**
	 * Opens a channel on the opener thread, then writes the sends that waited for it, or
	 * fails them as not sent when it cannot be opened. Any exception counts: amqp-client
	 * throws {@code AlreadyClosedException} when the connection closes under it.
	 */
	private void open() {
		Channel channel = null;
		Exception failure = null;
		try {
			// a plain channel of the (publisher) connection: no publisher-callback
			// wrapper
			channel = this.connectionFactory.createConnection().getDelegate().createChannel();
			if (channel == null) {
				throw new IOException("the broker has no channel left for publishing");
			}
			channel.confirmSelect();
		}
		catch (Exception ex) {
			failure = ex;
			closeQuietly(channel);
			channel = null;
		}
		List<Waiting> failed;
		this.lock.lock();
		try {
			this.opening = false;
			if (this.closed || channel == null) {
				closeQuietly(channel);
				failed = new ArrayList<>(this.waiting);
			}
			else {
				PublishLane opened = new PublishLane(this, channel,
						this.idPrefix + Long.toString(++this.lanes, 36) + ".");
				this.lane = opened;
				for (Waiting send : this.waiting) {
					opened.publish(send.exchange(), send.routingKey(), send.message(), send.result(), send.deadline());
				}
				failed = List.of();
			}
			this.waiting.clear();
		}
		finally {
			this.lock.unlock();
		}
		if (!failed.isEmpty()) {
			failWaiting(failed, (failure != null) ? "no channel to publish on (RabbitMQ at " + this.broker + ": "
					+ BrokerErrors.rootMessage(failure) + ")" : "the client is closed", failure);
		}
	}

	/**
	 * Fails, as "may have been stored", the sends the broker has not confirmed within the
	 * confirm timeout, so no send waits forever, even when its connection died silently
	 * or the broker blocks publishing; and, as not sent, the sends that waited that long
	 * for a channel. Sends are pending in publish order, so the sweep stops at the first
	 * one not yet due.
	 */
	void failOverdue() {
		long now = System.nanoTime();
		PublishLane current = this.lane;
		if (current != null) {
			List<UnconfirmedSend> overdue = current.pending().removeOverdue(now);
			if (!overdue.isEmpty()) {
				settle(overdue, Reason.TIMEOUT, this.overdueReason);
			}
		}
		// a sender holding the lock is writing; the next sweep looks again
		if (!this.lock.tryLock()) {
			return;
		}
		List<Waiting> overdue = new ArrayList<>();
		try {
			while (!this.waiting.isEmpty() && now - this.waiting.peekFirst().deadline() >= 0) {
				overdue.add(this.waiting.pollFirst());
			}
		}
		finally {
			this.lock.unlock();
		}
		if (!overdue.isEmpty()) {
			failWaiting(overdue, "no channel to publish on (RabbitMQ at " + this.broker + ") within "
					+ Duration.ofNanos(this.confirmTimeoutNanos), null);
		}
	}

	/**
	 * Closes the channel for good: sends still unconfirmed fail as "may have been
	 * stored", sends waiting for a channel and later sends fail as not sent.
	 */
	void close() {
		List<Waiting> failed;
		PublishLane current;
		this.lock.lock();
		try {
			this.closed = true;
			failed = new ArrayList<>(this.waiting);
			this.waiting.clear();
			current = this.lane;
			this.lane = null;
			if (current != null) {
				closeQuietly(current.channel());
			}
		}
		finally {
			this.lock.unlock();
		}
		this.opener.shutdown();
		if (!failed.isEmpty()) {
			failWaiting(failed, "the client closed before a channel to publish on was open", null);
		}
	}

	/**
	 * Completes settled sends on the callback executor: a user's callback must not run on
	 * (and block) the connection's I/O thread, which reads every confirm.
	 * @param settled the sends, in publish order, each removed from its lane by the
	 * caller
	 * @param failure why they failed, or {@code null} for a broker ack
	 * @param detail the broker's or the client's words
	 */
	@Override
	public void settle(List<UnconfirmedSend> settled, @Nullable Reason failure, @Nullable String detail) {
		this.room.release(settled.size());
		complete(() -> {
			for (UnconfirmedSend pending : settled) {
				pending.complete(failure, detail);
				this.unconfirmed.decrement();
			}
		});
	}

	/** Fails a send its lane took but could not write. */
	@Override
	public void failUnwritten(UnconfirmedSend send, SendFailedException failure) {
		this.room.release();
		complete(() -> {
			send.fail(failure);
			this.unconfirmed.decrement();
		});
	}

	private void failWaiting(List<Waiting> sends, String why, @Nullable Throwable cause) {
		this.room.release(sends.size());
		complete(() -> {
			for (Waiting send : sends) {
				String messageId = send.message().userMessageId();
				send.result()
					.completeExceptionally(
							new SendFailedException(
									"Message " + messageId + " to exchange '" + send.exchange() + "' with routing key '"
											+ send.routingKey() + "' was not sent: " + why,
									messageId, Reason.NOT_SENT, cause));
				this.unconfirmed.decrement();
			}
		});
	}

	private void complete(Runnable completion) {
		try {
			this.callbacks.execute(completion);
		}
		catch (RuntimeException ex) {
			// the client is closing and its callback pool is gone (or the application's
			// executor refused): complete here rather than never
			completion.run();
		}
	}

	private static void closeQuietly(@Nullable Channel channel) {
		if (channel == null || !channel.isOpen()) {
			return;
		}
		try {
			channel.close();
		}
		catch (IOException | TimeoutException | RuntimeException ex) {
			// closed already
		}
	}

	/** A send made while no channel was open. */
	private record Waiting(String exchange, String routingKey, PayloadCodec.Outgoing message,
			CompletableFuture<Void> result, long deadline) {
	}

}
