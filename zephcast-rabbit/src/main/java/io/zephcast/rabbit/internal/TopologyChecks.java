package io.zephcast.rabbit.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueOverflow;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RetryPolicy;

/**
 * The checks of {@link RabbitConfig} that involve several topology settings: what the
 * broker would refuse, or silently ignore, refused here with the setting's name.
 */
public final class TopologyChecks {

	private static final Set<String> X_MATCH = Set.of("all", "any", "all-with-x", "any-with-x");

	private TopologyChecks() {
	}

	public static void check(String exchangeName, ExchangeType exchangeType, boolean durable, boolean autoDelete,
			QueueType queueType, QueueArguments queue, List<String> bindingKeys, Map<String, Object> bindingArguments) {
		if (queueType == QueueType.QUORUM) {
			if (!durable) {
				throw new InvalidRabbitConfigException("durable", false, "a quorum queue is always durable");
			}
			if (autoDelete) {
				throw new InvalidRabbitConfigException("autoDelete", true, "a quorum queue cannot be auto-delete");
			}
			if (queue.overflow() == QueueOverflow.REJECT_PUBLISH_DLX) {
				throw new InvalidRabbitConfigException("queue.overflow", queue.overflow(),
						"quorum queues support drop-head and reject-publish");
			}
		}
		else if (queue.deliveryLimit() != null) {
			throw new InvalidRabbitConfigException("queue.deliveryLimit", queue.deliveryLimit(),
					"only quorum queues count deliveries; set queueType to quorum, or use the retry policy");
		}
		if (!bindingKeys.isEmpty()) {
			if (exchangeName.isEmpty()) {
				throw new InvalidRabbitConfigException("bindingKeys", bindingKeys,
						"need an exchangeName: RabbitMQ's default exchange binds each queue by its name only");
			}
			if (exchangeType == ExchangeType.FANOUT || exchangeType == ExchangeType.HEADERS) {
				throw new InvalidRabbitConfigException("bindingKeys", bindingKeys,
						"a " + exchangeType + " exchange ignores binding keys"
								+ ((exchangeType == ExchangeType.HEADERS) ? "; match with bindingArguments" : ""));
			}
			for (String key : bindingKeys) {
				if (key.getBytes(StandardCharsets.UTF_8).length > 255) {
					throw new InvalidRabbitConfigException("bindingKeys", key, "must be at most 255 bytes long");
				}
			}
		}
		if (!bindingArguments.isEmpty()) {
			if (exchangeType != ExchangeType.HEADERS) {
				throw new InvalidRabbitConfigException("bindingArguments", bindingArguments,
						"only a headers exchange matches on binding arguments (this one is " + exchangeType + ")");
			}
			Object match = bindingArguments.get("x-match");
			if (match != null && !X_MATCH.contains(match.toString())) {
				throw new InvalidRabbitConfigException("bindingArguments", "x-match=" + match,
						"x-match must be all, any, all-with-x or any-with-x");
			}
		}
	}

	/**
	 * Refuses a classic queue that rejects publishes when full while retries wait in wait
	 * queues: a retried copy coming back from its wait queue into a full queue is dropped
	 * by the broker (a classic queue's dead-lettering is not confirmed, so nobody learns
	 * of it). Checked when consuming starts, since only a consumer retries: a publisher
	 * may use {@code reject-publish} as back-pressure.
	 * @param queueType the queue's type
	 * @param queue the queue's arguments
	 * @param retry the retry policy
	 * @throws InvalidRabbitConfigException naming {@code queue.overflow}
	 */
	static void checkRetryReturnPath(QueueType queueType, QueueArguments queue, RetryPolicy retry) {
		boolean limited = queue.maxLength() != null || queue.maxLengthBytes() != null;
		boolean rejects = queue.overflow() == QueueOverflow.REJECT_PUBLISH
				|| (queue.overflow() == QueueOverflow.REJECT_PUBLISH_DLX && !queue.hasDeadLetterExchange());
		// field reads only, as it runs on every pull; a single attempt has no wait queue
		if (queueType != QueueType.CLASSIC || !limited || !rejects || retry.maxAttempts() <= 1) {
			return;
		}
		throw new InvalidRabbitConfigException("queue.overflow", queue.overflow(),
				"a classic queue with a length limit (queue.maxLength / queue.maxLengthBytes) that rejects "
						+ "publishes when full drops a retried message coming back from its wait queue, unseen. "
						+ "With retries (retry.maxAttempts " + retry.maxAttempts()
						+ ") use a quorum queue (queueType), overflow drop-head, no length limit, or turn "
						+ "retries off (retry.maxAttempts 1). Spring Boot: zephcast.rabbit.queue.overflow, "
						+ "zephcast.rabbit.queue.max-length, zephcast.rabbit.consumer.retry.max-attempts");
	}

	/**
	 * A quorum queue's delivery limit must let the broker deliver a message as often as
	 * the retry policy attempts it: with {@code x-delivery-limit} L, the broker delivers
	 * a message at most L + 1 times (its {@code x-delivery-count} 0 to L), then drops or
	 * dead-letters it at the next requeue, whatever the client counts. The same on every
	 * RabbitMQ version, so checked without a broker.
	 * @param queue the queue's arguments
	 * @param retry the retry policy
	 * @throws InvalidRabbitConfigException if the limit is lower
	 */
	public static void checkDeliveryLimit(QueueArguments queue, RetryPolicy retry) {
		Integer limit = queue.deliveryLimit();
		if (limit != null && (long) limit + 1 < retry.maxAttempts()) {
			throw new InvalidRabbitConfigException("queue.deliveryLimit", limit,
					"lets the broker deliver a message at most " + (limit + 1) + " time(s), fewer than "
							+ "retry.maxAttempts (" + retry.maxAttempts() + "): a message requeued that often would "
							+ "be dropped or dead-lettered by the broker before the client's attempts are used up; "
							+ "set it to at least " + (retry.maxAttempts() - 1) + ", or leave it unset");
		}
	}

}
