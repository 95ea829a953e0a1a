package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.List;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.internal.RabbitTopology;

import org.springframework.amqp.core.Queue;

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
		RabbitTopology topology = RabbitTopology.of(ZephcastSession.STREAM_NAME, config);
		List<String> names = new ArrayList<>();
		if (withQueue) {
			names.add(topology.queueName());
		}
		topology.retryQueues().waitQueues().forEach((queue) -> names.add(queue.getName()));
		Queue deadLetters = topology.retryQueues().deadLetterQueue();
		if (deadLetters != null) {
			names.add(deadLetters.getName());
		}
		try (Connection connection = RawSession.factory(url).newConnection("zc-bench-cleanup")) {
			for (String name : names) {
				try (Channel channel = connection.createChannel()) {
					channel.queueDelete(name);
				}
			}
		}
	}

}
