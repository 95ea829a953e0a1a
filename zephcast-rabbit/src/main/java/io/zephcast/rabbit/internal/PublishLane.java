package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.zephcast.rabbit.InvalidMessageException;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * One confirm-mode channel of a {@link PublishingChannel} and the sends it has not had
 * confirmed yet, by publish sequence. Every send it takes leaves its
 * {@link PublishSequenceRing} exactly once: by a confirm, the channel's shutdown, the
 * confirm timeout, or a write that failed; only the path that removed it settles it, so
 * that it is counted down once.
 */
final class PublishLane implements ConfirmListener, ReturnListener, ShutdownListener {

	/** Carries the publish sequence of a message whose id the application chose. */
	static final String TAG_HEADER = "zephcast-publish-tag";

	private final Owner owner;

	private final Channel channel;

	private final String idPrefix;

	private final PublishSequenceRing pending = new PublishSequenceRing();

	/**
	 * Retry and dead-letter copies in flight, by message id: their returns are matched by
	 * it, so that they carry no {@value #TAG_HEADER} into the queues other clients read.
	 * A copy whose id is already in flight is tagged as usual.
	 */
	private final Map<String, Long> copies = new ConcurrentHashMap<>();

	/**
	 * Messages written on this channel: the broker's count, which its confirms refer to.
	 * Changed under the owner's lock.
	 */
	private long written;

	PublishLane(Owner owner, Channel channel, String idPrefix) {
		this.owner = owner;
		this.channel = channel;
		this.idPrefix = idPrefix;
		channel.addConfirmListener(this);
		channel.addReturnListener(this);
		channel.addShutdownListener(this);
	}

	boolean isOpen() {
		return this.channel.isOpen();
	}

	Channel channel() {
		return this.channel;
	}

	/** The sends written and not yet settled. */
	PublishSequenceRing pending() {
		return this.pending;
	}

	/**
	 * Writes a message; called under the owner's lock, which makes numbering and writing
	 * one step.
	 * @param deadline the {@link System#nanoTime()} by which the broker is to confirm
	 */
	void publish(String exchange, String routingKey, PayloadCodec.Outgoing message, CompletableFuture<Void> result,
			long deadline) {
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
		UnconfirmedSend sent = new UnconfirmedSend(result, messageId, exchange, routingKey, deadline);
		this.pending.add(tag, sent);
		try {
			this.channel.basicPublish(exchange, routingKey, true, properties.build(), message.body());
			this.written = tag;
		}
		catch (IOException ex) {
			// the socket write failed part-way or after: the broker may have the message;
			// the connection is failing, and its shutdown (or the confirm timeout)
			// settles the send
			this.written = tag;
		}
		catch (AlreadyClosedException ex) {
			unpublished(tag,
					new SendFailedException(
							"Message " + messageId + " to exchange '" + exchange + "' with routing key '" + routingKey
									+ "' was not sent: the channel closed (" + BrokerErrors.rootMessage(ex) + ")",
							messageId, Reason.NOT_SENT, ex));
		}
		catch (RuntimeException ex) {
			// refused by the encoder before anything was written: the broker never
			// counted it
			unpublished(tag,
					new InvalidMessageException(messageId, "properties", "cannot be encoded: " + ex.getMessage(), ex));
		}
	}

	/**
	 * Whether the message is a copy ({@link FailedMessages}) whose returns can be matched
	 * by its id, kept until its send completes (after any return).
	 */
	private boolean untaggedCopy(String messageId, long tag, Map<String, Object> headers,
			CompletableFuture<Void> result) {
		if (!headers.containsKey(MessageHeaders.ORIGINAL_EXCHANGE) || this.copies.putIfAbsent(messageId, tag) != null) {
			return false;
		}
		result.whenComplete((ignored, failure) -> this.copies.remove(messageId, tag));
		return true;
	}

	/**
	 * Settles a send that was not written, unless the channel's shutdown (running on the
	 * connection's thread since the send was added) took it first: then that settles it,
	 * and counting it down here too would let a graceful close stop waiting early.
	 */
	private void unpublished(long tag, SendFailedException failure) {
		UnconfirmedSend removed = this.pending.remove(tag);
		if (removed != null) {
			this.owner.failUnwritten(removed, failure);
		}
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
		List<UnconfirmedSend> settled = multiple ? this.pending.removeUpTo(deliveryTag) : removeOne(deliveryTag);
		if (!settled.isEmpty()) {
			this.owner.settle(settled, failure, null);
		}
	}

	private List<UnconfirmedSend> removeOne(long tag) {
		UnconfirmedSend one = this.pending.remove(tag);
		return (one != null) ? List.of(one) : List.of();
	}

	/** Comes before the confirm of the same message, on the same thread. */
	@Override
	public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
			AMQP.BasicProperties properties, byte[] body) {
		Long tag = tagOf(properties);
		UnconfirmedSend returned = (tag != null) ? this.pending.get(tag) : null;
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
		List<UnconfirmedSend> lost = this.pending.removeUpTo(Long.MAX_VALUE);
		if (!lost.isEmpty()) {
			this.owner.settle(lost, Reason.CONNECTION_LOST,
					"the publishing channel closed before the broker confirmed (" + cause.getMessage() + ")");
		}
	}

	/**
	 * Where a lane reports the sends it settles: its {@link PublishingChannel}. An
	 * interface so that the lane does not depend on the class that opens it.
	 */
	interface Owner {

		/**
		 * Completes the futures of settled sends.
		 * @param settled the sends
		 * @param failure why they failed, or {@code null} if confirmed
		 * @param detail more on the failure, or {@code null}
		 */
		void settle(List<UnconfirmedSend> settled, @Nullable Reason failure, @Nullable String detail);

		/**
		 * Fails a send that was never written.
		 * @param send the send
		 * @param failure the failure
		 */
		void failUnwritten(UnconfirmedSend send, SendFailedException failure);

	}

}
