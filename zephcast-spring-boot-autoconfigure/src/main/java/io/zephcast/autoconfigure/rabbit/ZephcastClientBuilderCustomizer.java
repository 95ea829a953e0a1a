package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.RabbitClient;

/**
 * Adjusts the builder of each stream's {@link RabbitClient} before the client is built:
 * the meters and observations are attached this way. Applied in {@code @Order}.
 */
@FunctionalInterface
public interface ZephcastClientBuilderCustomizer {

	/**
	 * Customizes the builder of one stream's client.
	 * @param streamName the stream's name
	 * @param builder the builder
	 */
	void customize(String streamName, RabbitClient.Builder builder);

}
