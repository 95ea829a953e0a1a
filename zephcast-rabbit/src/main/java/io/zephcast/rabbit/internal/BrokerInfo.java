package io.zephcast.rabbit.internal;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.Connection;

/**
 * What the broker said about itself when a connection opened: its product, version and
 * capabilities (the server properties of AMQP's {@code connection.start}). The version
 * decides what the client refuses or warns about where RabbitMQ versions differ
 * ({@link BrokerCompatibility}).
 *
 * @param product the product, e.g. {@code RabbitMQ}; empty if the broker did not say
 * @param version the version as the broker spells it, e.g. {@code 4.0.5}; empty if it did
 * not say
 * @param capabilities the capabilities the broker announced as supported, e.g.
 * {@code publisher_confirms}, in name order
 */
record BrokerInfo(String product, String version, Set<String> capabilities) {

	/** The major and minor version at the start of the version string. */
	private static final Pattern MAJOR_MINOR = Pattern.compile("^(\\d{1,6})\\.(\\d{1,6})");

	BrokerInfo {
		capabilities = Collections.unmodifiableSet(new TreeSet<>(capabilities));
	}

	/**
	 * Reads the server properties of an open connection.
	 * @param connection the connection
	 * @return what the broker said
	 */
	static BrokerInfo of(Connection connection) {
		return of(connection.getDelegate().getServerProperties());
	}

	/**
	 * Reads server properties; values may be the AMQP client's {@code LongString}s.
	 * @param serverProperties the properties of {@code connection.start}
	 * @return what the broker said
	 */
	static BrokerInfo of(@Nullable Map<String, Object> serverProperties) {
		if (serverProperties == null) {
			return new BrokerInfo("", "", Set.of());
		}
		Set<String> capabilities = new TreeSet<>();
		if (serverProperties.get("capabilities") instanceof Map<?, ?> announced) {
			announced.forEach((name, supported) -> {
				if (Boolean.TRUE.equals(supported)) {
					capabilities.add(name.toString());
				}
			});
		}
		return new BrokerInfo(text(serverProperties.get("product")), text(serverProperties.get("version")),
				capabilities);
	}

	private static String text(@Nullable Object value) {
		return (value != null) ? value.toString() : "";
	}

	/**
	 * Whether the broker is RabbitMQ of at least the given version. A broker that names
	 * no version, or another product, is at least nothing: the client then assumes no
	 * version-specific behaviour.
	 * @param major the major version
	 * @param minor the minor version
	 * @return whether the version is known and at least {@code major.minor}
	 */
	boolean isAtLeast(int major, int minor) {
		if (!"RabbitMQ".equalsIgnoreCase(this.product)) {
			return false;
		}
		Matcher matcher = MAJOR_MINOR.matcher(this.version);
		if (!matcher.find()) {
			return false;
		}
		int actualMajor = Integer.parseInt(matcher.group(1));
		int actualMinor = Integer.parseInt(matcher.group(2));
		return actualMajor > major || (actualMajor == major && actualMinor >= minor);
	}

	/**
	 * Whether the broker is RabbitMQ 4.0 or later, which removed or deprecated what
	 * {@link BrokerCompatibility} checks.
	 * @return whether RabbitMQ 4.x or later
	 */
	boolean isRabbitMq4() {
		return isAtLeast(4, 0);
	}

	/**
	 * The product and version, for messages.
	 * @return e.g. {@code RabbitMQ 4.0.5}
	 */
	String describe() {
		String product = this.product.isEmpty() ? "the broker" : this.product;
		return this.version.isEmpty() ? product + " (version unknown)" : product + " " + this.version;
	}

}
