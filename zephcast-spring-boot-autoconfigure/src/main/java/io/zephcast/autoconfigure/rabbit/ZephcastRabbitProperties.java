package io.zephcast.autoconfigure.rabbit;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for zephcast: {@code zephcast.rabbit.*} configures the default
 * stream, {@code zephcast.rabbit.streams.<name>.*} declares more with the same keys.
 * Unset values take {@link io.zephcast.rabbit.RabbitConfig}'s defaults.
 */
@ConfigurationProperties(ZephcastPropertyNames.ROOT)
public class ZephcastRabbitProperties extends ZephcastStreamProperties {

	/**
	 * Whether to auto-configure the zephcast RabbitClients.
	 */
	private boolean enabled = true;

	/**
	 * Name of the default stream: the name of its connections, and the queue name and
	 * routing key where those are empty. Defaults to spring.application.name, else
	 * "zephcast".
	 */
	private @Nullable String streamName;

	/**
	 * More streams, by name, with the same keys as zephcast.rabbit.*: one RabbitClient
	 * each, injectable with @Qualifier("<name>"). The name is the stream name. A stream
	 * inherits from zephcast.rabbit.* the connection settings it does not set: url,
	 * addresses (unless it sets a url of its own), address-shuffle-mode,
	 * requested-heartbeat, connection-timeout, channel-rpc-timeout, ssl, every
	 * ssl-options key, shutdown-timeout, confirm-timeout, fail-fast and protocol; nothing
	 * else.
	 */
	private Map<String, ZephcastStreamProperties> streams = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getStreamName() {
		return this.streamName;
	}

	public void setStreamName(@Nullable String streamName) {
		this.streamName = streamName;
	}

	public Map<String, ZephcastStreamProperties> getStreams() {
		return this.streams;
	}

	public void setStreams(Map<String, ZephcastStreamProperties> streams) {
		this.streams = streams;
	}

}
