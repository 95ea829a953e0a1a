package io.zephcast.autoconfigure.rabbit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;

/**
 * Translates the name of a {@link io.zephcast.rabbit.RabbitConfig} setting into the
 * property a Spring Boot user sets.
 */
final class ZephcastPropertyNames {

	static final String PREFIX = "zephcast.rabbit.";

	static final String STREAMS = PREFIX + "streams";

	private ZephcastPropertyNames() {
	}

	/**
	 * The property for a setting of the default stream, e.g. {@code prefetchCount} to
	 * {@code zephcast.rabbit.prefetch-count}.
	 * @param setting the setting name
	 * @return the property name
	 */
	static String of(String setting) {
		return of(PREFIX, setting);
	}

	/**
	 * The prefix of a stream's properties.
	 * @param stream the name of a stream declared under {@code zephcast.rabbit.streams},
	 * or {@code null} for the default stream
	 * @return {@code zephcast.rabbit.} or {@code zephcast.rabbit.streams.<name>.}
	 */
	static String prefix(@Nullable String stream) {
		return (stream != null) ? STREAMS + "." + stream + "." : PREFIX;
	}

	/**
	 * The property for a setting under a prefix, e.g. {@code sslOptions.trust-store} to
	 * {@code <prefix>ssl-options.trust-store}.
	 * @param prefix the prefix, ending with a dot
	 * @param setting the setting name
	 * @return the property name
	 */
	static String of(String prefix, String setting) {
		// the consumer's settings sit in a group of their own
		if (setting.equals("concurrency") || setting.equals("deadLetterQueue") || setting.startsWith("retry.")
				|| setting.startsWith("ackCoalescing.")) {
			return prefix + "consumer." + DataObjectPropertyName.toDashedForm(setting);
		}
		return prefix + DataObjectPropertyName.toDashedForm(setting);
	}

}
