package io.zephcast.autoconfigure.rabbit;

import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;

/**
 * Adjusts the listener container of the zephcast RabbitClient (e.g. an error handler,
 * observation, a consumer tag strategy) before it is used. It must stay in manual-ack
 * mode; the client sets its message listener.
 */
@FunctionalInterface
public interface ZephcastListenerContainerCustomizer {

	void customize(DirectMessageListenerContainer container);

}
