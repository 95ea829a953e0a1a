package io.zephcast.rabbit.internal;

import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.RabbitMessage;
import org.jspecify.annotations.Nullable;

/**
 * The settlement of a message a client handed out, whatever the protocol: what the pull
 * buffer ({@link DeliveryQueue}) and the parking of failed messages
 * ({@link ParkingFailures}) need of it. {@link Settlement} for AMQP 0-9-1 (a delivery tag
 * on a channel), {@link Amqp10Settlement} for AMQP 1.0 (a delivery on a link).
 */
interface HeldDelivery {

	/**
	 * Whether the channel or link that delivered the message is still the one it can be
	 * settled on; if not, the broker has already put it back in the queue.
	 * @return whether a settlement can still reach the broker
	 */
	boolean isChannelOpen();

	/**
	 * Settles the message back to the broker's queue without handing it out (a stop, a
	 * closed buffer), unless it was settled already.
	 * @return whether this call settled it
	 */
	boolean abandon();

	/**
	 * Marks the message settled by the caller, who then calls {@link #finish}.
	 * @param operation what the caller does, for the error
	 * @param messageId the message id, for the error
	 * @throws IllegalStateException if it was already settled
	 */
	void claim(String operation, @Nullable String messageId);

	/**
	 * Tells the broker the outcome of a claimed message.
	 * @param outcome the outcome
	 * @param messageId the message id, for the error
	 * @throws io.zephcast.rabbit.AckFailedException if the channel or link is gone
	 */
	void finish(DeliveryOutcome outcome, @Nullable String messageId);

	/** Completes a claimed settlement by putting the message back in its queue. */
	void finishAbandoned();

	/**
	 * The settlement of a message of this package's making.
	 * @param message the message
	 * @return its settlement
	 */
	static HeldDelivery of(RabbitMessage message) {
		return ((Source) message).heldDelivery();
	}

	/** A message that knows its settlement. */
	interface Source {

		/**
		 * The message's settlement.
		 * @return the settlement
		 */
		HeldDelivery heldDelivery();

	}

}
