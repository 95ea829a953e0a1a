package io.zephcast.autoconfigure.rabbit;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.RabbitConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata shows {@link RabbitConfig}'s defaults: the properties hold
 * none of their own (so that a named stream can tell what it sets), and the defaults
 * shown in the IDE are declared in additional-spring-configuration-metadata.json, which
 * this test keeps equal to the builder's.
 */
class ZephcastMetadataTests {

	@Test
	void theMetadataDefaultsAreRabbitConfigsDefaults() throws Exception {
		Map<String, String> defaults = new HashMap<>();
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
				assertThat(property.path("description").asString("")).as(property.path("name").asString()).isNotEmpty();
				if (property.has("defaultValue")) {
					defaults.put(property.path("name").asString(), property.path("defaultValue").asString());
				}
			}
		}
		RabbitConfig config = RabbitConfig.builder().build();
		String prefix = ZephcastPropertyNames.ROOT + ".";
		assertThat(defaults).containsEntry(prefix + "url", config.url())
			.containsEntry(prefix + "protocol", config.protocol().value())
			.containsEntry(prefix + "queue-name", config.queueName())
			.containsEntry(prefix + "exchange-name", config.exchangeName())
			.containsEntry(prefix + "routing-key", config.routingKey())
			.containsEntry(prefix + "exchange-type", config.exchangeType().toString())
			.containsEntry(prefix + "durable", String.valueOf(config.durable()))
			.containsEntry(prefix + "auto-delete", String.valueOf(config.autoDelete()))
			.containsEntry(prefix + "prefetch-count", String.valueOf(config.prefetchCount()))
			.containsEntry(prefix + "consumer.concurrency", String.valueOf(config.concurrency()))
			.containsEntry(prefix + "ssl", String.valueOf(config.ssl()))
			.containsEntry(prefix + "shutdown-timeout", config.shutdownTimeout().toSeconds() + "s")
			.containsEntry(prefix + "confirm-timeout", config.confirmTimeout().toSeconds() + "s")
			.containsEntry(prefix + "fail-fast", String.valueOf(config.failFast()))
			.containsEntry(prefix + "address-shuffle-mode",
					config.connection().addressShuffleMode().name().toLowerCase(Locale.ROOT))
			.containsEntry(prefix + "requested-heartbeat", config.connection().requestedHeartbeat().toSeconds() + "s")
			.containsEntry(prefix + "connection-timeout", config.connection().connectionTimeout().toSeconds() + "s")
			.containsEntry(prefix + "channel-rpc-timeout", config.connection().channelRpcTimeout().toSeconds() + "s")
			.containsEntry(prefix + "queue-type", config.queueType().value())
			.containsEntry(prefix + "declare", "true")
			.containsEntry(prefix + "consumer.dead-letter-queue", String.valueOf(config.deadLetterQueue()))
			.containsEntry(prefix + "consumer.retry.max-attempts", String.valueOf(config.retry().maxAttempts()))
			.containsEntry(prefix + "consumer.retry.initial-interval",
					config.retry().initialInterval().toSeconds() + "s")
			.containsEntry(prefix + "consumer.retry.max-interval", config.retry().maxInterval().toSeconds() + "s")
			.containsKeys(prefix + "consumer.retry.multiplier", prefix + "consumer.retry.jitter")
			.containsEntry(prefix + "consumer.ack-coalescing.max-messages",
					String.valueOf(config.ackCoalescing().maxMessages()))
			.containsEntry(prefix + "consumer.ack-coalescing.max-delay",
					config.ackCoalescing().maxDelay().toMillis() + "ms")
			.containsEntry(prefix + "publisher.max-in-flight", String.valueOf(config.publisher().maxInFlight()))
			.containsEntry(prefix + "publisher.max-block", config.publisher().maxBlock().toSeconds() + "s");
		assertThat(DataSize.parse(defaults.get(prefix + "publisher.max-message-size")).toBytes())
			.isEqualTo(config.publisher().maxMessageSize());
		assertThat(Double.parseDouble(defaults.get(prefix + "consumer.retry.multiplier")))
			.isEqualTo(config.retry().multiplier());
		assertThat(Double.parseDouble(defaults.get(prefix + "consumer.retry.jitter")))
			.isEqualTo(config.retry().jitter());
		assertThat(config.declare()).isEqualTo(DeclareMode.ON);
	}

	@Test
	void theStreamsDescriptionListsWhatANamedStreamInherits() throws Exception {
		String description = null;
		try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
				if (property.path("name").asString().equals(ZephcastPropertyNames.STREAMS)) {
					description = property.path("description").asString();
				}
			}
		}
		assertThat(description).as(ZephcastPropertyNames.STREAMS).isNotNull().contains("url");
		for (String setting : ZephcastStreamConfigurer.inheritedSettings()) {
			String key = setting.startsWith("sslOptions.") ? "ssl-options"
					: DataObjectPropertyName.toDashedForm(setting);
			assertThat(description).as(setting).containsPattern("\\b" + key + "\\b");
		}
	}

}
