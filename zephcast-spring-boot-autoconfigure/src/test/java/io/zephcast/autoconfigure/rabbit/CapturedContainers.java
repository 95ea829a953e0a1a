package io.zephcast.autoconfigure.rabbit;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * A {@link ZephcastListenerContainerCustomizer} that keeps the listener container each
 * client creates, by queue name: the containers are the clients' own now, not beans, and
 * this is how the tests (like an application) reach them.
 */
final class CapturedContainers implements ZephcastListenerContainerCustomizer {

	private final Map<String, DirectMessageListenerContainer> byQueue = new ConcurrentHashMap<>();

	@Override
	public void customize(DirectMessageListenerContainer container) {
		for (String queue : container.getQueueNames()) {
			this.byQueue.put(queue, container);
		}
	}

	/**
	 * The container consuming a queue.
	 * @param queue the queue name
	 * @return the container
	 */
	DirectMessageListenerContainer of(String queue) {
		return Objects.requireNonNull(this.byQueue.get(queue),
				() -> "No container for " + queue + " in " + this.byQueue.keySet());
	}

}
