package io.zephcast.rabbit;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import org.jspecify.annotations.Nullable;

/**
 * Where a delivered message came from and whether it has been settled. Acks go to the
 * channel that delivered the message (never to a replacement: a delivery tag means
 * nothing on another channel), from whatever thread settles it.
 */
final class Delivery {

	private final Object owner;

	private final Channel channel;

	private final long deliveryTag;

	private final Runnable onSettled;

	private final AtomicBoolean settled = new AtomicBoolean();

	Delivery(Object owner, Channel channel, long deliveryTag, Runnable onSettled) {
		this.owner = owner;
		this.channel = channel;
		this.deliveryTag = deliveryTag;
		this.onSettled = onSettled;
	}

	long deliveryTag() {
		return this.deliveryTag;
	}

	/**
	 * Whether the delivering channel is still open; if not, the broker has already put
	 * the message back in the queue, and it must not be handed out.
	 * @return whether an ack can still reach the broker
	 */
	boolean isChannelOpen() {
		return this.channel.isOpen();
	}

	boolean isSettled() {
		return this.settled.get();
	}

	boolean belongsTo(Object client) {
		return this.owner == client;
	}

	void ack(@Nullable String messageId) {
		settle("ack", messageId);
		try {
			this.channel.basicAck(this.deliveryTag, false);
		}
		catch (IOException | AlreadyClosedException ex) {
			throw lost("ack", messageId, ex);
		}
	}

	void nack(@Nullable String messageId, boolean requeue) {
		settle("nack", messageId);
		try {
			this.channel.basicNack(this.deliveryTag, false, requeue);
		}
		catch (IOException | AlreadyClosedException ex) {
			throw lost("nack", messageId, ex);
		}
	}

	/**
	 * Claims the message for a settlement that completes later (a retry or dead letter
	 * waits for the broker to confirm the copy): nothing else may settle it meanwhile,
	 * and it counts as handed out until {@link #finish(boolean, boolean)}.
	 * @throws IllegalStateException if it was already settled
	 */
	void claim(String operation, @Nullable String messageId) {
		if (!this.settled.compareAndSet(false, true)) {
			throw alreadySettled(operation, messageId);
		}
	}

	/**
	 * Completes a claimed settlement: acks, or nacks with or without requeue.
	 * @param ack whether to ack
	 * @param requeue for a nack, whether to requeue
	 * @throws AckFailedException if the channel is gone (the broker requeued it)
	 */
	void finish(boolean ack, boolean requeue) {
		try {
			if (ack) {
				this.channel.basicAck(this.deliveryTag, false);
			}
			else {
				this.channel.basicNack(this.deliveryTag, false, requeue);
			}
		}
		catch (IOException | AlreadyClosedException ex) {
			throw lost(ack ? "ack" : "nack", null, ex);
		}
		finally {
			this.onSettled.run();
		}
	}

	/** Settles without telling the broker: the channel is closing and will requeue it. */
	boolean abandon() {
		if (this.settled.compareAndSet(false, true)) {
			this.onSettled.run();
			return true;
		}
		return false;
	}

	private void settle(String operation, @Nullable String messageId) {
		if (!this.settled.compareAndSet(false, true)) {
			throw alreadySettled(operation, messageId);
		}
		this.onSettled.run();
	}

	private IllegalStateException alreadySettled(String operation, @Nullable String messageId) {
		return new IllegalStateException("Cannot " + operation + " message " + messageId + " (delivery tag "
				+ this.deliveryTag + "): it was already settled (acked, nacked, retried or rejected)");
	}

	private AckFailedException lost(String operation, @Nullable String messageId, Exception cause) {
		return new AckFailedException("Could not " + operation + " message " + messageId + " (delivery tag "
				+ this.deliveryTag + "): the channel that delivered it is closed (" + cause.getMessage()
				+ "). The broker has requeued it and will deliver it again with redelivered=true.", cause);
	}

}
