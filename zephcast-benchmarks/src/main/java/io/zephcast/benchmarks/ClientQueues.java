package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.rabbit.RabbitConfig;

/**
 * The queues a zephcast client declares beside its own: the retry wait queues and the
 * dead-letter queue, named by the client's own topology. A run deletes them with its
 * trial queues, or they pile up on the broker (three per consumer trial) and slow it.
 */
final class ClientQueues {

	private ClientQueues() {
	}

	/**
	 * Deletes the wait queues and the dead-letter queue of a client, and its queue too if
	 * asked; missing ones are fine.
	 * @param url the broker
	 * @param config the client's configuration
	 * @param withQueue whether to delete the client's own queue as well
	 */
	static void delete(String url, RabbitConfig config, boolean withQueue) throws Exception {
		// the names the client gives them, as documented (docs/poison-messages.md): the
		// benchmarks use the public API only
		String queue = queueName(config);
		List<String> names = new ArrayList<>();
		if (withQueue) {
			names.add(queue);
		}
		config.retry()
			.intervals()
			.stream()
			.distinct()
			.forEach((interval) -> names.add(queue + ".retry." + interval.toMillis()));
		names.add(deadLetterQueue(config));
		try (Connection connection = RawSession.factory(url).newConnection("zc-bench-cleanup")) {
			for (String name : names) {
				try (Channel channel = connection.createChannel()) {
					channel.queueDelete(name);
				}
			}
		}
	}

	/**
	 * The client's queue.
	 * @param config the client's configuration
	 * @return its queue name, else the benchmark's stream name
	 */
	static String queueName(RabbitConfig config) {
		return config.queueName().isEmpty() ? ZephcastSession.STREAM_NAME : config.queueName();
	}

	/**
	 * The client's dead-letter queue, {@code <queue>.dlq}.
	 * @param config the client's configuration
	 * @return its name
	 */
	static String deadLetterQueue(RabbitConfig config) {
		return queueName(config) + ".dlq";
	}

}
