package io.zephcast.autoconfigure.rabbit.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.zephcast.autoconfigure.rabbit.RabbitClients;
import io.zephcast.autoconfigure.rabbit.ZephcastRabbitAutoConfiguration;
import io.zephcast.rabbit.RabbitClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code zephcast} health contributor: a
 * {@link RabbitClientHealthIndicator} per stream, named after it. Off with
 * {@code management.health.zephcast.enabled=false}.
 */
@AutoConfiguration(after = ZephcastRabbitAutoConfiguration.class)
@ConditionalOnClass({ HealthContributor.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(RabbitClients.class)
@ConditionalOnEnabledHealthIndicator("zephcast")
public final class ZephcastHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "zephcastHealthIndicator", "zephcastHealthContributor" })
	HealthContributor zephcastHealthContributor(RabbitClients clients) {
		Map<String, RabbitClient> byStream = new LinkedHashMap<>();
		clients.forEach((client) -> byStream.put(client.streamName(), client));
		return CompositeHealthContributor.fromMap(byStream, RabbitClientHealthIndicator::new);
	}

}
