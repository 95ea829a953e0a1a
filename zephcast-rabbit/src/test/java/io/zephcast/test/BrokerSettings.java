package io.zephcast.test;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * Which broker the tests talk to, and how they reach it: each setting is a system
 * property (the build passes them: RabbitMQ 4.0 by default, 3.10 in zephcast-rabbit's
 * {@code broker-3.10} execution), else an environment variable, else the broker on this
 * machine's default ports (RabbitMQ 3.10 on 5672). The property names start with
 * {@code zephcast.test.}, never {@code zephcast.rabbit.}: the Spring Boot tests must not
 * bind them.
 * <ul>
 * <li>{@code zephcast.test.broker.url} ({@code ZEPHCAST_TEST_BROKER_URL}, then
 * {@code ZEPHCAST_RABBIT_URL}): the AMQP URL with credentials;</li>
 * <li>{@code zephcast.test.broker.management-url}
 * ({@code ZEPHCAST_TEST_BROKER_MANAGEMENT_URL}, then
 * {@code ZEPHCAST_RABBIT_MANAGEMENT_URL}): the management API, by default port 15672 of
 * the AMQP URL's host;</li>
 * <li>{@code zephcast.test.broker.rabbitmqctl}
 * ({@code ZEPHCAST_TEST_BROKER_RABBITMQCTL}): the command, split at spaces, that runs
 * {@code rabbitmqctl} against that broker's node, e.g.
 * {@code chroot /var/lib/zephcast/rabbitmq4 rabbitmqctl -n rabbit4@localhost};</li>
 * <li>{@code zephcast.test.broker.tls-port} ({@code ZEPHCAST_TLS_PORT}): the broker's TLS
 * listener on 127.0.0.1, 5671 by default.</li>
 * </ul>
 */
public final class BrokerSettings {

	/** The broker on this machine's default ports, when nothing names another. */
	public static final String DEFAULT_URL = "amqp://guest:guest@localhost:5672/";

	private BrokerSettings() {
	}

	/**
	 * The AMQP URL of the broker under test, with credentials.
	 * @return the URL
	 */
	public static String url() {
		return setting("zephcast.test.broker.url", DEFAULT_URL, "ZEPHCAST_TEST_BROKER_URL", "ZEPHCAST_RABBIT_URL");
	}

	/**
	 * The management API of the broker under test.
	 * @return its base URL, without a trailing slash
	 */
	public static String managementUrl() {
		String url = setting("zephcast.test.broker.management-url", null, "ZEPHCAST_TEST_BROKER_MANAGEMENT_URL",
				"ZEPHCAST_RABBIT_MANAGEMENT_URL");
		if (url == null) {
			url = "http://" + URI.create(url()).getHost() + ":15672";
		}
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	/**
	 * The command that runs {@code rabbitmqctl} against the broker under test's node.
	 * @return the command and its leading arguments
	 */
	public static List<String> rabbitmqctl() {
		return words(setting("zephcast.test.broker.rabbitmqctl", "rabbitmqctl", "ZEPHCAST_TEST_BROKER_RABBITMQCTL"));
	}

	/**
	 * The port of the broker's TLS listener on 127.0.0.1.
	 * @return the port
	 */
	public static int tlsPort() {
		return Integer.parseInt(setting("zephcast.test.broker.tls-port", "5671", "ZEPHCAST_TLS_PORT"));
	}

	/**
	 * The first of a system property and environment variables that is set.
	 * @param property the system property
	 * @param fallback the value when none is set
	 * @param variables the environment variables, in order
	 * @return the value
	 */
	static String setting(String property, String fallback, String... variables) {
		String value = System.getProperty(property);
		for (int i = 0; blank(value) && i < variables.length; i++) {
			value = System.getenv(variables[i]);
		}
		return blank(value) ? fallback : value.trim();
	}

	/**
	 * A command line split at spaces (no quoting: paths with spaces are not supported).
	 * @param command the command line
	 * @return its words
	 */
	static List<String> words(String command) {
		return Arrays.stream(command.trim().split("\\s+")).toList();
	}

	private static boolean blank(String value) {
		return value == null || value.isBlank();
	}

}
