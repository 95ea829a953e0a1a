package io.zephcast.rabbit.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.Channel;
import io.zephcast.rabbit.AckCoalescing;

/**
 * A client's {@link ChannelAckBatch}es, one per consumer channel: created at the
 * channel's first delivery, dropped when the channel closes; and the sweep that sends the
 * overdue ones. Named apart from {@link io.zephcast.rabbit.AckCoalescing}, the setting
 * that turns this on, and from the batch of one channel it holds.
 */
final class AckBatchesByChannel {

	private final String streamName;

	private final int batchSize;

	/** How often the client's timer sends what is overdue: a quarter of the delay. */
	private final long sweepMillis;

	/** Held this long, acks are sent at the next sweep, at most a sweep later. */
	private final long flushAfterNanos;

	private final ConcurrentHashMap<Channel, ChannelAckBatch> channels = new ConcurrentHashMap<>();

	AckBatchesByChannel(String streamName, AckCoalescing settings, int prefetchCount) {
		this.streamName = streamName;
		this.batchSize = batchSize(settings, prefetchCount);
		this.sweepMillis = Math.max(1, settings.maxDelay().toMillis() / 4);
		this.flushAfterNanos = settings.maxDelay().toNanos() - TimeUnit.MILLISECONDS.toNanos(this.sweepMillis);
	}

	/**
	 * How often {@link #flushOverdue()} is to run, so that no ack waits longer than the
	 * maximum delay.
	 * @return the interval in milliseconds
	 */
	long sweepMillis() {
		return this.sweepMillis;
	}

	/**
	 * The acks of a consumer channel.
	 * @param channel the channel that delivered, not a proxy
	 * @return its acks
	 */
	ChannelAckBatch forChannel(Channel channel) {
		ChannelAckBatch acks = this.channels.get(channel);
		if (acks != null) {
			return acks;
		}
		ChannelAckBatch created = new ChannelAckBatch(this.streamName, channel, this.batchSize);
		acks = this.channels.putIfAbsent(channel, created);
		if (acks != null) {
			return acks;
		}
		// outside the map's update: a channel already closed calls the listener at once
		channel.addShutdownListener((cause) -> {
			this.channels.remove(channel, created);
			created.lost(cause);
		});
		return created;
	}

	/** Sends the acks held longer than the maximum delay (the client's timer). */
	void flushOverdue() {
		long now = System.nanoTime();
		this.channels.values().forEach((acks) -> acks.flushOverdue(now, this.flushAfterNanos));
	}

	/** Sends every held ack (before the consumers stop). */
	void flushAll() {
		this.channels.values().forEach(ChannelAckBatch::flush);
	}

	/**
	 * How many acks wait at most on a consumer with the given prefetch count: never more
	 * than half of it, so that the broker still has deliveries to send while they wait.
	 * @param settings the coalescing settings
	 * @param prefetchCount the consumer's prefetch count
	 * @return the count at which the held acks are sent
	 */
	static int batchSize(AckCoalescing settings, int prefetchCount) {
		return Math.max(1, Math.min(settings.maxMessages(), prefetchCount / 2));
	}

	/**
	 * Whether acks are coalesced on a consumer with the given prefetch count: not with
	 * prefetch 1, where the broker waits for each ack before the next delivery.
	 * @param settings the coalescing settings
	 * @param prefetchCount the consumer's prefetch count
	 * @return whether more than one ack may wait
	 */
	static boolean coalesces(AckCoalescing settings, int prefetchCount) {
		return batchSize(settings, prefetchCount) > 1;
	}

}
