package io.zephcast.autoconfigure.rabbit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.zephcast.rabbit.ExchangeType;
import io.zephcast.rabbit.Protocol;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;

/**
 * What the properties ask for: the streams, their bean names, which streams share a
 * connection factory, and the checks that must pass before any bean is made. Computed
 * from the bound properties alone, so that the bean registrar and the beans agree.
 */
final class ZephcastStreamPlan {

	private static final int MAX_NAME_BYTES = 255;

	private final ZephcastRabbitProperties properties;

	private final String defaultStreamName;

	private final Map<String, String> connectionFactoryBeans = new LinkedHashMap<>();

	ZephcastStreamPlan(ZephcastRabbitProperties properties, Environment environment) {
		this.properties = properties;
		this.defaultStreamName = defaultStreamName(properties, environment);
		Map<List<@Nullable Object>, String> groups = new LinkedHashMap<>();
		groups.put(ZephcastStreamConfigurer.connectionKey(properties, null),
				ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN);
		for (String name : properties.getStreams().keySet()) {
			if (protocol(name) == Protocol.AMQP_1_0) {
				// an AMQP 1.0 client opens its own connection: no connection factory
				continue;
			}
			String bean = groups.computeIfAbsent(
					ZephcastStreamConfigurer.connectionKey(properties.getStreams().get(name), properties),
					(key) -> ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN + "." + name);
			this.connectionFactoryBeans.put(name, bean);
		}
	}

	/**
	 * The protocol a stream speaks, as the properties say: its own, else the default
	 * stream's.
	 * @param name the name of a named stream, or {@code null} for the default stream
	 * @return the protocol
	 */
	Protocol protocol(@Nullable String name) {
		return (name != null) ? ZephcastStreamConfigurer.protocol(stream(name), this.properties)
				: ZephcastStreamConfigurer.protocol(this.properties, null);
	}

	/**
	 * Whether the default stream's connection factory bean is needed: the default stream
	 * speaks AMQP 0-9-1, or a named stream on AMQP 0-9-1 shares it.
	 * @return whether any client uses it
	 */
	boolean needsDefaultConnectionFactory() {
		return protocol(null) == Protocol.AMQP_0_9_1
				|| !streamsOf(ZephcastRabbitAutoConfiguration.CONNECTION_FACTORY_BEAN).isEmpty();
	}

	static String defaultStreamName(ZephcastRabbitProperties properties, Environment environment) {
		String streamName = properties.getStreamName();
		if (streamName == null || streamName.isBlank()) {
			return environment.getProperty("spring.application.name", "zephcast");
		}
		return streamName;
	}

	String defaultStreamName() {
		return this.defaultStreamName;
	}

	/**
	 * The names of the streams declared under {@code zephcast.rabbit.streams}, in the
	 * order they are declared.
	 * @return the names
	 */
	List<String> namedStreams() {
		return new ArrayList<>(this.properties.getStreams().keySet());
	}

	ZephcastStreamProperties stream(String name) {
		return Objects.requireNonNull(this.properties.getStreams().get(name), name);
	}

	/**
	 * The connection factory bean a named stream uses: the default stream's when it
	 * reaches the same broker the same way, so all such streams share its two
	 * connections.
	 * @param name the stream name
	 * @return the bean name, or {@code null} for a stream on AMQP 1.0, which uses none
	 */
	@Nullable String connectionFactoryBean(String name) {
		return this.connectionFactoryBeans.get(name);
	}

	/**
	 * The names of the streams that use a connection factory bean.
	 * @param connectionFactoryBean the bean name
	 * @return the stream names, without the default stream (and without the streams on
	 * AMQP 1.0, which use none)
	 */
	List<String> streamsOf(String connectionFactoryBean) {
		return this.connectionFactoryBeans.entrySet()
			.stream()
			.filter((entry) -> entry.getValue().equals(connectionFactoryBean))
			.map(Map.Entry::getKey)
			.toList();
	}

	/**
	 * The consumers the named streams on a connection factory run, for sizing its
	 * dispatch threads.
	 * @param connectionFactoryBean the bean name
	 * @return the sum of their concurrency
	 */
	int namedConcurrency(String connectionFactoryBean) {
		return streamsOf(connectionFactoryBean).stream()
			.map(this::stream)
			.mapToInt((stream) -> Objects.requireNonNullElse(stream.getConsumer().getConcurrency(), 1))
			.sum();
	}

	/**
	 * Refuses what cannot work across streams: an empty or unusable stream name, a name
	 * taken by the default stream, and a queue or exchange two streams declare
	 * differently (the broker would refuse the second with a 406 that closes its
	 * channel).
	 * @throws InvalidConfigurationPropertyValueException naming the property
	 */
	void validate() {
		Map<String, Declared> queues = new LinkedHashMap<>();
		Map<String, Declared> exchanges = new LinkedHashMap<>();
		declare(null, this.properties, queues, exchanges);
		for (Map.Entry<String, ZephcastStreamProperties> entry : this.properties.getStreams().entrySet()) {
			String name = entry.getKey();
			checkName(name);
			declare(name, entry.getValue(), queues, exchanges);
		}
	}

	private void checkName(String name) {
		String property = ZephcastPropertyNames.prefix(name);
		if (name.isBlank()) {
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.STREAMS, name,
					"a stream name must not be empty: it names the stream's connection, qualifier and queue");
		}
		if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"a stream name is the fallback queue name, and queue names are at most 255 bytes long");
		}
		if (name.toLowerCase(Locale.ROOT).startsWith("amq.")) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"a stream name is the fallback queue name, and names starting with 'amq.' are reserved by "
							+ "RabbitMQ");
		}
		if (!name.equals(name.strip()) || name.chars().anyMatch(Character::isISOControl)) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"a stream name must not have surrounding white space or control characters");
		}
		if (name.equals(this.defaultStreamName)) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"the default stream (" + ZephcastPropertyNames.ROOT
							+ ".*) already has this name: pick another, or set "
							+ ZephcastPropertyNames.of("streamName"));
		}
	}

	private void declare(@Nullable String name, ZephcastStreamProperties stream, Map<String, Declared> queues,
			Map<String, Declared> exchanges) {
		String streamName = (name != null) ? name : this.defaultStreamName;
		String queueName = hasText(stream.getQueueName()) ? stream.getQueueName() : streamName;
		boolean durable = Objects.requireNonNullElse(stream.getDurable(), true);
		boolean autoDelete = Objects.requireNonNullElse(stream.getAutoDelete(), false);
		check(queues, queueName, new Declared(name, List.of(durable, autoDelete)), "queue",
				hasText(stream.getQueueName()) ? "queue-name" : "durable");
		if (hasText(stream.getExchangeName())) {
			ExchangeType type = Objects.requireNonNullElse(stream.getExchangeType(), ExchangeType.DIRECT);
			check(exchanges, stream.getExchangeName(), new Declared(name, List.of(type, durable, autoDelete)),
					"exchange", "exchange-name");
		}
	}

	private void check(Map<String, Declared> declared, String name, Declared declaration, String what, String key) {
		Declared earlier = declared.putIfAbsent(name, declaration);
		if (earlier != null && !earlier.settings().equals(declaration.settings())) {
			throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.of(declaration.stream(), key),
					name,
					"the " + what + " '" + name + "' is also declared by " + describe(earlier.stream())
							+ " with other settings " + earlier.settings() + " (here " + declaration.settings()
							+ "); RabbitMQ refuses a second declaration that differs, so give one of them its own "
							+ what + " or the same settings");
		}
	}

	private String describe(@Nullable String stream) {
		return ((stream != null) ? "stream '" + stream + "'" : "the default stream") + " ("
				+ ZephcastPropertyNames.prefix(stream) + ".*)";
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isEmpty();
	}

	private record Declared(@Nullable String stream, List<Object> settings) {

	}

}
