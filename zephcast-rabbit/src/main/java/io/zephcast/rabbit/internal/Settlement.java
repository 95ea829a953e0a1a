package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import io.zephcast.rabbit.AckFailedException;
import io.zephcast.rabbit.DeliveryOutcome;
import org.jspecify.annotations.Nullable;

/**
 * Where a delivered message came from and whether it has been settled. Acks go to the
 * channel that delivered the message (never to a replacement: a delivery tag means
 * nothing on another channel), from whatever thread settles it.
 * <p>
 * Named for what it does, settling a message, and not {@code Delivery}, which reads as
 * amqp-client's {@code com.rabbitmq.client.Delivery} (the message itself).
 */
final class Settlement extends ChannelAckBatch.Held implements HeldDelivery {

	/**
	 * Settles with a compare-and-set on a field rather than an {@code AtomicBoolean}: one
	 * object fewer per delivery on the hot path.
	 */
	private static final VarHandle SETTLED;

	static {
		try {
			SETTLED = MethodHandles.lookup().findVarHandle(Settlement.class, "settled", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Object owner;

	private final Channel channel;

	private final long deliveryTag;

	private final Runnable onSettled;

	/** Told the outcome once, for the client's meters and observations. */
	private final DeliveryListener listener;

	/** Whether settled, set once through {@link #SETTLED}. */
	private volatile boolean settled;

	/** The channel's coalesced acks, or {@code null} when every ack is sent at once. */
	private final @Nullable ChannelAckBatch acks;

	Settlement(Object owner, Channel channel, long deliveryTag, Runnable onSettled, DeliveryListener listener,
			@Nullable ChannelAckBatch acks) {
		this.owner = owner;
		this.channel = channel;
		this.deliveryTag = deliveryTag;
		this.onSettled = onSettled;
		this.listener = listener;
		this.acks = acks;
		if (acks != null) {
			acks.delivered(this);
		}
	}

	@Override
	long deliveryTag() {
		return this.deliveryTag;
	}

	/**
	 * Whether the delivering channel is still open; if not, the broker has already put
	 * the message back in the queue, and it must not be handed out.
	 * @return whether an ack can still reach the broker
	 */
	@Override
	public boolean isChannelOpen() {
		return this.channel.isOpen();
	}

	boolean isSettled() {
		return this.settled;
	}

	boolean belongsTo(Object client) {
		return this.owner == client;
	}

	void ack(@Nullable String messageId) {
		ChannelAckBatch coalesced = this.acks;
		if (coalesced != null) {
			ackCoalesced(coalesced, messageId);
			return;
		}
		claim("ack", messageId);
		finish(DeliveryOutcome.ACKED, messageId);
	}

	/**
	 * Holds the ack for a {@code multiple} ack; counted as settled only once it is held,
	 * so that a stop that waits for the handed-out messages then sends it.
	 */
	private void ackCoalesced(ChannelAckBatch coalesced, @Nullable String messageId) {
		claim("ack", messageId);
		boolean held;
		try {
			held = coalesced.ack(this);
		}
		finally {
			this.onSettled.run();
		}
		if (!held) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw lost("ack", messageId, null);
		}
		this.listener.settled(DeliveryOutcome.ACKED);
	}

	void nack(@Nullable String messageId, boolean requeue) {
		claim("nack", messageId);
		finish(requeue ? DeliveryOutcome.REQUEUED : DeliveryOutcome.REJECTED, messageId);
	}

	/**
	 * Claims the message for a settlement: nothing else may settle it from now on, and it
	 * counts as handed out until {@link #finish} (a retry or dead letter finishes once
	 * the broker has confirmed the copy).
	 * @throws IllegalStateException if it was already settled
	 */
	@Override
	public void claim(String operation, @Nullable String messageId) {
		if (!SETTLED.compareAndSet(this, false, true)) {
			throw alreadySettled(operation, messageId);
		}
	}

	/**
	 * Completes a claimed settlement with the broker, on the delivering channel: acks a
	 * message acked, retried or dead-lettered (its copy is stored), nacks one requeued or
	 * dropped. It counts as handed out until the broker call is made, so a graceful stop
	 * waits for the call before it closes the channel.
	 * @param outcome the outcome, not {@link DeliveryOutcome#RELEASED}
	 * @param messageId the message id, for errors
	 * @throws AckFailedException if the channel is gone (the broker requeued it)
	 */
	@Override
	public void finish(DeliveryOutcome outcome, @Nullable String messageId) {
		boolean ack = outcome == DeliveryOutcome.ACKED || outcome == DeliveryOutcome.RETRIED
				|| outcome == DeliveryOutcome.DEAD_LETTERED;
		try {
			if (ack) {
				this.channel.basicAck(this.deliveryTag, false);
			}
			else {
				// basic.reject, not basic.nack: from RabbitMQ 4.3 a nack with requeue no
				// longer raises a quorum queue's x-delivery-count, a reject does (as both
				// do on 3.x and 4.0), so deliveryAttempt() counts requeues on every
				// version
				this.channel.basicReject(this.deliveryTag, outcome == DeliveryOutcome.REQUEUED);
			}
			ChannelAckBatch coalesced = this.acks;
			if (coalesced != null) {
				// settled with the broker on its own, not in a coalesced run
				coalesced.sent(this);
			}
		}
		catch (IOException | AlreadyClosedException ex) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw lost(ack ? "ack" : "nack", messageId, ex);
		}
		finally {
			this.onSettled.run();
		}
		this.listener.settled(outcome);
	}

	/** Settles without telling the broker: the channel is closing and will requeue it. */
	@Override
	public boolean abandon() {
		if (SETTLED.compareAndSet(this, false, true)) {
			ChannelAckBatch coalesced = this.acks;
			if (coalesced != null) {
				coalesced.abandoned(this);
			}
			this.onSettled.run();
			this.listener.settled(DeliveryOutcome.RELEASED);
			return true;
		}
		return false;
	}

	/**
	 * Completes a claimed settlement without telling the broker: the client is stopping,
	 * and the consumer's channel, when it closes, puts the message back in the queue.
	 */
	@Override
	public void finishAbandoned() {
		ChannelAckBatch coalesced = this.acks;
		if (coalesced != null) {
			coalesced.abandoned(this);
		}
		this.onSettled.run();
		this.listener.settled(DeliveryOutcome.RELEASED);
	}

	private IllegalStateException alreadySettled(String operation, @Nullable String messageId) {
		return new IllegalStateException("Cannot " + operation + " message " + messageId + " (delivery tag "
				+ this.deliveryTag + "): it was already settled (acked, nacked, retried or rejected)");
	}

	/**
	 * The channel that delivered the message is gone, found by the broker call that
	 * failed ({@code cause}) or, for a held ack, before any call.
	 */
	private AckFailedException lost(String operation, @Nullable String messageId, @Nullable Exception cause) {
		return new AckFailedException("Could not " + operation + " message " + messageId + " (delivery tag "
				+ this.deliveryTag + "): the channel that delivered it is closed"
				+ ((cause != null) ? " (" + cause.getMessage() + ")" : "")
				+ ". The broker has requeued it and will deliver it again with redelivered=true.", cause);
	}

}
