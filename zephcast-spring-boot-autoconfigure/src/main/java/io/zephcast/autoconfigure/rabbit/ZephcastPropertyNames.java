package io.zephcast.autoconfigure.rabbit;

import java.util.Locale;

/**
 * Translates the name of a {@link io.zephcast.rabbit.RabbitConfig} setting into the
 * {@code zephcast.rabbit.*} property a Spring Boot user sets.
 */
final class ZephcastPropertyNames {

	static final String PREFIX = "zephcast.rabbit.";

	private ZephcastPropertyNames() {
	}

	/**
	 * The property for a setting, e.g. {@code prefetchCount} to
	 * {@code zephcast.rabbit.prefetch-count}.
	 * @param setting the setting name
	 * @return the property name
	 */
	static String of(String setting) {
		if (setting.equals("concurrency")) {
			return PREFIX + "consumer.concurrency";
		}
		StringBuilder property = new StringBuilder(PREFIX);
		for (char c : setting.toCharArray()) {
			if (Character.isUpperCase(c)) {
				property.append('-').append(Character.toLowerCase(c));
			}
			else {
				property.append(c);
			}
		}
		return property.toString().toLowerCase(Locale.ROOT);
	}

}
