package io.zephcast.test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.fail;

/**
 * The TLS material {@code .ci/rabbitmq-tls-up} makes, and the TLS listener of the broker
 * under test (127.0.0.1:5671 on RabbitMQ 3.10, 5691 on 4.0 from {@code .ci/rabbitmq4-up},
 * which uses the same certificates; {@link BrokerSettings#tlsPort()}): client certificate
 * required, server certificate for "localhost".
 */
public final class TestTls {

	public static final String PASSWORD = "zephcast";

	private static final Path DIR = Path
		.of(System.getenv().getOrDefault("ZEPHCAST_TLS_DIR", "/etc/rabbitmq/zephcast-tls"));

	private static final int PORT = BrokerSettings.tlsPort();

	private TestTls() {
	}

	/**
	 * Fails the test, saying what to run, when the TLS material or listener is missing.
	 */
	public static void require() {
		if (!Files.isReadable(DIR.resolve("client.p12"))) {
			fail("No TLS material in " + DIR + ": run 'sudo .ci/rabbitmq-tls-up' to give RabbitMQ a TLS listener "
					+ "on 5671 with a throw-away CA, then .ci/rabbitmq4-up for RabbitMQ 4's on 5691 (bash .ci/run "
					+ "does both)");
		}
	}

	/**
	 * The port of the broker's TLS listener.
	 * @return the port
	 */
	public static int port() {
		return PORT;
	}

	public static String url(String host) {
		return "amqps://guest:guest@" + host + ":" + PORT + "/";
	}

	public static String trustStore() {
		return DIR.resolve("truststore.p12").toString();
	}

	public static String rogueTrustStore() {
		return DIR.resolve("rogue-truststore.p12").toString();
	}

	public static String clientKeyStore() {
		return DIR.resolve("client.p12").toString();
	}

	/**
	 * Options that trust the test CA and present the client certificate.
	 * @return the ssl options
	 */
	public static Map<String, String> mutualOptions() {
		Map<String, String> options = new LinkedHashMap<>(trustOnlyOptions());
		options.put("key-store", clientKeyStore());
		options.put("key-store-password", PASSWORD);
		return options;
	}

	public static Map<String, String> trustOnlyOptions() {
		Map<String, String> options = new LinkedHashMap<>();
		options.put("trust-store", trustStore());
		options.put("trust-store-password", PASSWORD);
		return options;
	}

}
