package io.zephcast.autoconfigure.rabbit;

import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Adjusts the listener container each stream's RabbitClient creates (e.g. an error
 * handler, a consumer tag strategy, a task executor), right after the client creates it
 * and before it is initialized. Applied in {@code @Order}. It must stay in manual-ack
 * mode; the client sets its message listener.
 */
@FunctionalInterface
public interface ZephcastListenerContainerCustomizer {

	/**
	 * Customizes a stream's listener container.
	 * @param container the container
	 */
	void customize(DirectMessageListenerContainer container);

}
