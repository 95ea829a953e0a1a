package io.zephcast.rabbit.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.amqp.Consumer;
import io.zephcast.rabbit.AckFailedException;
import io.zephcast.rabbit.DeliveryOutcome;
import org.jspecify.annotations.Nullable;

/**
 * Where an AMQP 1.0 message came from and whether it has been settled: the consumer's
 * delivery context, on the link (generation) that delivered it. RabbitMQ's client
 * silently ignores a disposition on a link that is gone (it logs it at debug), so the
 * link's generation is checked first: a message held from a link lost with its connection
 * fails with {@link AckFailedException}, as the broker has requeued it.
 */
final class Amqp10Settlement implements HeldDelivery {

	private final Object owner;

	private final Consumer.Context context;

	private final Amqp10Link link;

	private final long generation;

	private final long deliveryTag;

	private final Runnable onSettled;

	private final DeliveryListener listener;

	private final AtomicBoolean settled = new AtomicBoolean();

	Amqp10Settlement(Object owner, Consumer.Context context, Amqp10Link link, long generation, long deliveryTag,
			Runnable onSettled, DeliveryListener listener) {
		this.owner = owner;
		this.context = context;
		this.link = link;
		this.generation = generation;
		this.deliveryTag = deliveryTag;
		this.onSettled = onSettled;
		this.listener = listener;
	}

	long deliveryTag() {
		return this.deliveryTag;
	}

	boolean isSettled() {
		return this.settled.get();
	}

	boolean belongsTo(Object client) {
		return this.owner == client;
	}

	@Override
	public boolean isChannelOpen() {
		return this.link.isCurrent(this.generation);
	}

	void ack(@Nullable String messageId) {
		claim("ack", messageId);
		finish(DeliveryOutcome.ACKED, messageId);
	}

	void nack(@Nullable String messageId, boolean requeue) {
		claim("nack", messageId);
		finish(requeue ? DeliveryOutcome.REQUEUED : DeliveryOutcome.REJECTED, messageId);
	}

	@Override
	public void claim(String operation, @Nullable String messageId) {
		if (!this.settled.compareAndSet(false, true)) {
			throw new IllegalStateException("Cannot " + operation + " message " + messageId + " (delivery tag "
					+ this.deliveryTag + "): it was already settled (acked, nacked, retried or rejected)");
		}
	}

	@Override
	public void finish(DeliveryOutcome outcome, @Nullable String messageId) {
		String operation = (outcome == DeliveryOutcome.REQUEUED || outcome == DeliveryOutcome.REJECTED) ? "nack"
				: "ack";
		try {
			if (!isChannelOpen()) {
				this.listener.settled(DeliveryOutcome.RELEASED);
				throw lost(operation, messageId, null);
			}
			try {
				switch (outcome) {
					// a nack: modified with delivery-failed, which a quorum queue
					// counts (delivery-count) as it counts a 0-9-1 nack with requeue;
					// a classic queue requeues it uncounted, as over 0-9-1
					case REQUEUED -> this.context.requeue(Map.of(), true);
					// released: back to the queue, not counted as a failed delivery
					case RELEASED -> this.context.requeue();
					// rejected: the broker dead-letters it if the queue has a
					// dead-letter exchange, else drops it
					case REJECTED -> this.context.discard();
					// retried and dead-lettered: a copy is stored, the original goes
					default -> this.context.accept();
				}
			}
			catch (RuntimeException ex) {
				this.listener.settled(DeliveryOutcome.RELEASED);
				throw lost(operation, messageId, ex);
			}
			this.listener.settled(outcome);
		}
		finally {
			this.onSettled.run();
		}
	}

	@Override
	public boolean abandon() {
		if (this.settled.compareAndSet(false, true)) {
			finishAbandoned();
			return true;
		}
		return false;
	}

	@Override
	public void finishAbandoned() {
		try {
			if (isChannelOpen()) {
				// released explicitly: the link may stay open (a stop that keeps the
				// connection), and the message must not wait for it to close
				this.context.requeue();
			}
		}
		catch (RuntimeException ex) {
			// the link is going: the broker requeues what it delivered
		}
		finally {
			this.onSettled.run();
			this.listener.settled(DeliveryOutcome.RELEASED);
		}
	}

	private AckFailedException lost(String operation, @Nullable String messageId, @Nullable Exception cause) {
		return new AckFailedException("Could not " + operation + " message " + messageId + " (delivery tag "
				+ this.deliveryTag + "): the AMQP 1.0 link that delivered it is closed"
				+ ((cause != null) ? " (" + cause.getMessage() + ")" : "")
				+ ". The broker has requeued it and will deliver it again with redelivered=true.", cause);
	}

}
