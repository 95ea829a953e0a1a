package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RetryPolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;

/**
 * The queues beside a client's queue that make retries wait and keep dead letters,
 * without a broker plugin (RabbitMQ 3.10 to 4.x):
 * <ul>
 * <li>one wait queue per interval of the {@link RetryPolicy}, {@code <queue>.retry.<ms>},
 * with that interval as its message TTL and the client's queue as its dead-letter target:
 * a retried copy waits there without a consumer (so it holds no consumer thread and no
 * prefetch slot, and survives a broker restart like any persistent message), then the
 * broker moves it back. One queue per interval, because a queue expires messages only at
 * its head: mixed waits in one queue would hold each other up;</li>
 * <li>the dead-letter queue {@code <queue>.dlq}, unless the queue has a dead-letter
 * exchange of its own or the dead-letter queue is switched off.</li>
 * </ul>
 * They have the type and durability of the client's queue, so on a cluster they are
 * replicated like it; quorum wait queues dead-letter at least once.
 */
public final class RetryQueues {

	/** Suffix of the dead-letter queue's name. */
	public static final String DEAD_LETTER_SUFFIX = ".dlq";

	/** What the name of a wait queue has between the client's queue and the interval. */
	static final String WAIT_INFIX = ".retry.";

	private final String queueName;

	private final RabbitConfig config;

	private final Map<Duration, Queue> waitQueues = new LinkedHashMap<>();

	private final @Nullable Queue deadLetterQueue;

	RetryQueues(String queueName, RabbitConfig config) {
		this.queueName = queueName;
		this.config = config;
		for (Duration interval : config.retry().intervals()) {
			this.waitQueues.put(interval, waitQueue(interval));
		}
		this.deadLetterQueue = (config.deadLetterQueue() && !config.queue().hasDeadLetterExchange())
				? new Queue(queueName + DEAD_LETTER_SUFFIX, config.durable(), false, false, typeArgument()) : null;
	}

	private Queue waitQueue(Duration interval) {
		Map<String, Object> arguments = typeArgument();
		arguments.put("x-message-ttl", interval.toMillis());
		arguments.put("x-dead-letter-exchange", "");
		arguments.put("x-dead-letter-routing-key", this.queueName);
		if (this.config.queueType() == QueueType.QUORUM) {
			// without it a quorum queue dead-letters at most once: a copy could be lost
			// between the queues when a leader changes
			arguments.put("x-dead-letter-strategy", "at-least-once");
			arguments.put("x-overflow", "reject-publish");
		}
		return new Queue(waitQueueName(interval), this.config.durable(), false, false, arguments);
	}

	private Map<String, Object> typeArgument() {
		Map<String, Object> arguments = new LinkedHashMap<>();
		if (this.config.queueType() == QueueType.QUORUM) {
			arguments.put("x-queue-type", QueueType.QUORUM.value());
		}
		return arguments;
	}

	/**
	 * The name of the wait queue of an interval.
	 * @param interval the interval
	 * @return {@code <queue>.retry.<milliseconds>}
	 */
	public String waitQueueName(Duration interval) {
		return this.queueName + WAIT_INFIX + interval.toMillis();
	}

	/**
	 * The wait queues, one per interval of the retry policy; none with a single attempt.
	 * @return the wait queues
	 */
	public List<Queue> waitQueues() {
		return List.copyOf(this.waitQueues.values());
	}

	/**
	 * The dead-letter queue the client declares.
	 * @return the queue, or {@code null} when the queue's dead-letter exchange takes dead
	 * letters or the dead-letter queue is off
	 */
	public @Nullable Queue deadLetterQueue() {
		return this.deadLetterQueue;
	}

	/**
	 * Where a message goes when it has used up its attempts or is rejected: the queue's
	 * dead-letter exchange if it has one, else the dead-letter queue.
	 * @param routingKey the routing key the message came with
	 * @return the exchange and routing key, or {@code null} when dead letters are dropped
	 */
	@Nullable Destination deadLetterTarget(String routingKey) {
		QueueArguments queue = this.config.queue();
		if (queue.hasDeadLetterExchange()) {
			String key = queue.deadLetterRoutingKey().isEmpty() ? routingKey : queue.deadLetterRoutingKey();
			return new Destination(queue.deadLetterExchange(), key);
		}
		if (this.deadLetterQueue != null) {
			return new Destination("", this.deadLetterQueue.getName());
		}
		return null;
	}

	/**
	 * Where the client publishes a retried or dead-lettered copy.
	 *
	 * @param exchange the exchange, empty for the default exchange
	 * @param routingKey the routing key
	 */
	record Destination(String exchange, String routingKey) {

		static Destination waitQueue(RetryQueues queues, Duration interval) {
			return new Destination("", queues.waitQueueName(interval));
		}

		@Override
		public String toString() {
			return this.exchange.isEmpty() ? "queue '" + this.routingKey + "'"
					: "exchange '" + this.exchange + "' with routing key '" + this.routingKey + "'";
		}

	}

	/**
	 * The wait queues and the dead-letter queue.
	 * @return the declarables
	 */
	public Declarables declarables() {
		List<Declarable> declarables = new ArrayList<>(this.waitQueues.values());
		if (this.deadLetterQueue != null) {
			declarables.add(this.deadLetterQueue);
		}
		return new Declarables(declarables);
	}

}
