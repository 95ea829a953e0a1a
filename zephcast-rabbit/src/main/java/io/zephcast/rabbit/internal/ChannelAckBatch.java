package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import io.zephcast.rabbit.AckCoalescing;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The coalesced acks of one consumer channel ({@link AckCoalescing}). It keeps the
 * channel's unsettled deliveries in the order the channel delivered them, so in the order
 * of their tags, and sends one {@code multiple} ack for the longest run at the front that
 * the application has settled: a delivery still held is never covered by another's ack. A
 * delivery abandoned to the broker's requeue (the channel is closing) ends a run too,
 * since a {@code multiple} ack would ack it.
 * <p>
 * Why not Spring AMQP's own {@code messagesPerAck}: the container acks a batch for the
 * listener in its AUTO mode only, on the consumer thread, and the client's messages are
 * acked by the application, from any thread, in any order.
 * <p>
 * Named for what it holds, one channel's batch of acks, apart from
 * {@link io.zephcast.rabbit.AckCoalescing} (the setting) and {@link AckBatchesByChannel}
 * (the batches of every channel).
 */
final class ChannelAckBatch {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/** The states of a delivery, in {@link Held#ackState}, guarded by this. */
	static final int OPEN = 0;

	static final int PENDING = 1;

	static final int SENT = 2;

	static final int ABANDONED = 3;

	private final String streamName;

	private final Channel channel;

	private final int batchSize;

	private final ArrayDeque<Held> deliveries = new ArrayDeque<>();

	/** Acked by the application, not yet sent. */
	private int pending;

	private long oldestPendingNanos;

	ChannelAckBatch(String streamName, Channel channel, int batchSize) {
		this.streamName = streamName;
		this.channel = channel;
		this.batchSize = batchSize;
	}

	/** Called on the channel's delivery thread, in delivery order, before handing out. */
	synchronized void delivered(Held delivery) {
		this.deliveries.add(delivery);
	}

	/**
	 * Holds the ack of a delivery, and sends the run at the front once enough are held.
	 * @return false if the channel is closed: the broker has requeued the message
	 */
	synchronized boolean ack(Held delivery) {
		if (!this.channel.isOpen()) {
			return false;
		}
		delivery.ackState = PENDING;
		if (this.pending++ == 0) {
			this.oldestPendingNanos = System.nanoTime();
		}
		return this.pending < this.batchSize || sendRun();
	}

	/** The delivery was settled with the broker on its own (a nack, a retry's ack). */
	synchronized void sent(Held delivery) {
		delivery.ackState = SENT;
		Held head;
		while ((head = this.deliveries.peek()) != null && head.ackState == SENT) {
			this.deliveries.poll();
		}
	}

	/** The delivery is left for the broker to requeue when the channel closes. */
	synchronized void abandoned(Held delivery) {
		delivery.ackState = ABANDONED;
	}

	/**
	 * Sends what has been held for the given time.
	 * @param now {@link System#nanoTime()}
	 * @param maxDelayNanos how long an ack may be held
	 */
	synchronized void flushOverdue(long now, long maxDelayNanos) {
		if (this.pending > 0 && now - this.oldestPendingNanos >= maxDelayNanos) {
			flush();
		}
	}

	/**
	 * Sends every held ack: the run at the front as one, the ones held behind a delivery
	 * still open one by one.
	 */
	synchronized void flush() {
		if (this.pending > 0 && sendRun() && this.pending > 0) {
			ackHeldOneByOne();
		}
	}

	/** Acks the deliveries held behind one the application has not settled. */
	private void ackHeldOneByOne() {
		try {
			for (Iterator<Held> held = this.deliveries.iterator(); held.hasNext();) {
				Held delivery = held.next();
				if (delivery.ackState == PENDING) {
					this.channel.basicAck(delivery.deliveryTag(), false);
					this.pending--;
					held.remove();
				}
				else if (delivery.ackState == SENT) {
					held.remove();
				}
			}
		}
		catch (IOException | AlreadyClosedException ex) {
			lost(ex);
		}
	}

	/** The channel is gone: the broker requeues every unacked delivery, held acks too. */
	synchronized void lost(Exception cause) {
		if (this.pending > 0 && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.streamName + "': the channel closed with " + this.pending
					+ " ack(s) held for coalescing not yet sent (" + cause.getMessage()
					+ "); the broker delivers those messages again, flagged redelivered");
		}
		this.pending = 0;
		this.deliveries.clear();
	}

	/** Acks the settled run at the front with one {@code multiple} ack. */
	private boolean sendRun() {
		long upTo = -1;
		int covered = 0;
		Held head;
		while ((head = this.deliveries.peek()) != null && (head.ackState == PENDING || head.ackState == SENT)) {
			this.deliveries.poll();
			if (head.ackState == PENDING) {
				upTo = head.deliveryTag();
				covered++;
			}
		}
		if (covered == 0) {
			return true;
		}
		this.pending -= covered;
		try {
			this.channel.basicAck(upTo, true);
			return true;
		}
		catch (IOException | AlreadyClosedException ex) {
			lost(ex);
			return false;
		}
	}

	/**
	 * A delivery as this class sees it: its tag and where its ack stands. A base class of
	 * {@link Settlement} rather than {@code Settlement} itself, so that the two classes
	 * do not depend on each other.
	 */
	abstract static class Held {

		/**
		 * Where the delivery stands here: {@link #OPEN} until acked, guarded by the acks.
		 */
		int ackState = OPEN;

		/**
		 * The delivery tag, unique on the channel.
		 * @return the tag
		 */
		abstract long deliveryTag();

	}

}
