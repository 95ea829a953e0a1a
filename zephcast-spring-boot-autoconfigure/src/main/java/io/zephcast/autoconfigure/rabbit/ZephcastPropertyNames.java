package io.zephcast.autoconfigure.rabbit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;

/**
 * The one place that spells zephcast's property names: the prefixes (never ending with a
 * dot) and the translation of a {@link io.zephcast.rabbit.RabbitConfig} setting into the
 * property a Spring Boot user sets, for the default stream or a named one.
 */
final class ZephcastPropertyNames {

	/** The prefix of the default stream's properties, and of all others. */
	static final String ROOT = "zephcast.rabbit";

	/** The prefix under which the named streams are declared. */
	static final String STREAMS = ROOT + ".streams";

	/** The switch of the whole auto-configuration. */
	static final String ENABLED = ROOT + ".enabled";

	private ZephcastPropertyNames() {
	}

	/**
	 * The prefix of a stream's properties.
	 * @param stream the name of a stream declared under {@code zephcast.rabbit.streams},
	 * or {@code null} for the default stream
	 * @return {@code zephcast.rabbit} or {@code zephcast.rabbit.streams.<name>}
	 */
	static String prefix(@Nullable String stream) {
		return (stream != null) ? STREAMS + "." + stream : ROOT;
	}

	/**
	 * The property for a setting of the default stream, e.g. {@code prefetchCount} to
	 * {@code zephcast.rabbit.prefetch-count}.
	 * @param setting the setting name
	 * @return the property name
	 */
	static String of(String setting) {
		return of(null, setting);
	}

	/**
	 * The property for a setting of a stream, e.g. {@code sslOptions.trust-store} of
	 * stream {@code payments} to
	 * {@code zephcast.rabbit.streams.payments.ssl-options.trust-store}.
	 * @param stream the name of a named stream, or {@code null} for the default stream
	 * @param setting the setting name, as {@link io.zephcast.rabbit.RabbitConfig} and its
	 * exceptions name it
	 * @return the property name
	 */
	static String of(@Nullable String stream, String setting) {
		String prefix = prefix(stream) + ".";
		// the consumer's settings sit in a group of their own; "retry" alone is the whole
		// policy (a missing wait queue names it)
		if (setting.equals("concurrency") || setting.equals("deadLetterQueue") || setting.equals("retry")
				|| setting.startsWith("retry.") || setting.startsWith("ackCoalescing.")) {
			return prefix + "consumer." + DataObjectPropertyName.toDashedForm(setting);
		}
		return prefix + DataObjectPropertyName.toDashedForm(setting);
	}

}
