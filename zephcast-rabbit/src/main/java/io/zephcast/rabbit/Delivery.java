package io.zephcast.rabbit;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import org.jspecify.annotations.Nullable;

/**
 * Where a delivered message came from and whether it has been settled. Acks go to the
 * channel that delivered the message (never to a replacement: a delivery tag means
 * nothing on another channel), from whatever thread settles it.
 */
final class Delivery {

	/**
	 * Settles with a compare-and-set on a field rather than an {@code AtomicBoolean}: one
	 * object fewer per delivery on the hot path.
	 */
	private static final VarHandle SETTLED;

	static {
		try {
			SETTLED = MethodHandles.lookup().findVarHandle(Delivery.class, "settled", boolean.class);
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
	private final @Nullable CoalescedAcks acks;

	/** Where the delivery stands in {@link CoalescedAcks}, guarded by it. */
	int ackState = CoalescedAcks.OPEN;

	Delivery(Object owner, Channel channel, long deliveryTag, Runnable onSettled, DeliveryListener listener,
			@Nullable CoalescedAcks acks) {
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
		return this.settled;
	}

	boolean belongsTo(Object client) {
		return this.owner == client;
	}

	void ack(@Nullable String messageId) {
		CoalescedAcks coalesced = this.acks;
		if (coalesced != null) {
			ackCoalesced(coalesced, messageId);
			return;
		}
		settle("ack", messageId);
		try {
			this.channel.basicAck(this.deliveryTag, false);
		}
		catch (IOException | AlreadyClosedException ex) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw lost("ack", messageId, ex);
		}
		this.listener.settled(DeliveryOutcome.ACKED);
	}

	/**
	 * Holds the ack for a {@code multiple} ack; counted as settled only once it is held,
	 * so that a stop that waits for the handed-out messages then sends it.
	 */
	private void ackCoalesced(CoalescedAcks coalesced, @Nullable String messageId) {
		if (!SETTLED.compareAndSet(this, false, true)) {
			throw alreadySettled("ack", messageId);
		}
		boolean held;
		try {
			held = coalesced.ack(this);
		}
		finally {
			this.onSettled.run();
		}
		if (!held) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw new AckFailedException("Could not ack message " + messageId + " (delivery tag " + this.deliveryTag
					+ "): the channel that delivered it is closed. The broker has requeued it and will deliver it "
					+ "again with redelivered=true.", null);
		}
		this.listener.settled(DeliveryOutcome.ACKED);
	}

	void nack(@Nullable String messageId, boolean requeue) {
		settle("nack", messageId);
		try {
			this.channel.basicNack(this.deliveryTag, false, requeue);
		}
		catch (IOException | AlreadyClosedException ex) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw lost("nack", messageId, ex);
		}
		sentAlone();
		this.listener.settled(requeue ? DeliveryOutcome.REQUEUED : DeliveryOutcome.REJECTED);
	}

	/** Settled with the broker by an ack or nack of its own, not in a coalesced run. */
	private void sentAlone() {
		CoalescedAcks coalesced = this.acks;
		if (coalesced != null) {
			coalesced.sent(this);
		}
	}

	/**
	 * Claims the message for a settlement that completes later (a retry or dead letter
	 * waits for the broker to confirm the copy): nothing else may settle it meanwhile,
	 * and it counts as handed out until {@link #finish(DeliveryOutcome)}.
	 * @throws IllegalStateException if it was already settled
	 */
	void claim(String operation, @Nullable String messageId) {
		if (!SETTLED.compareAndSet(this, false, true)) {
			throw alreadySettled(operation, messageId);
		}
	}

	/**
	 * Completes a claimed settlement: acks a message retried or dead-lettered (its copy
	 * is stored), nacks one whose copy failed (requeued) or that is dropped (rejected).
	 * @param outcome {@link DeliveryOutcome#RETRIED},
	 * {@link DeliveryOutcome#DEAD_LETTERED}, {@link DeliveryOutcome#REQUEUED} or
	 * {@link DeliveryOutcome#REJECTED}
	 * @throws AckFailedException if the channel is gone (the broker requeued it)
	 */
	void finish(DeliveryOutcome outcome) {
		boolean ack = outcome == DeliveryOutcome.RETRIED || outcome == DeliveryOutcome.DEAD_LETTERED;
		try {
			if (ack) {
				this.channel.basicAck(this.deliveryTag, false);
			}
			else {
				this.channel.basicNack(this.deliveryTag, false, outcome == DeliveryOutcome.REQUEUED);
			}
			sentAlone();
		}
		catch (IOException | AlreadyClosedException ex) {
			this.listener.settled(DeliveryOutcome.RELEASED);
			throw lost(ack ? "ack" : "nack", null, ex);
		}
		finally {
			this.onSettled.run();
		}
		this.listener.settled(outcome);
	}

	/** Settles without telling the broker: the channel is closing and will requeue it. */
	boolean abandon() {
		if (SETTLED.compareAndSet(this, false, true)) {
			CoalescedAcks coalesced = this.acks;
			if (coalesced != null) {
				coalesced.abandoned(this);
			}
			this.onSettled.run();
			this.listener.settled(DeliveryOutcome.RELEASED);
			return true;
		}
		return false;
	}

	private void settle(String operation, @Nullable String messageId) {
		if (!SETTLED.compareAndSet(this, false, true)) {
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
