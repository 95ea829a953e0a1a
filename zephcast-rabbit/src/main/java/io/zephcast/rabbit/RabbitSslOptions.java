package io.zephcast.rabbit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The keys {@link RabbitConfig#sslOptions()} understands. Passwords are never shown: see
 * {@link #masked(Map)}.
 */
public final class RabbitSslOptions {

	/**
	 * Name of a Spring Boot SSL bundle ({@code spring.ssl.bundle.*}); needs the starter.
	 */
	public static final String BUNDLE = "bundle";

	/** Location of the trust store holding the CA certificates to trust. */
	public static final String TRUST_STORE = "trust-store";

	/** Password of the trust store. */
	public static final String TRUST_STORE_PASSWORD = "trust-store-password";

	/** Type of the trust store: PKCS12 (default) or JKS. */
	public static final String TRUST_STORE_TYPE = "trust-store-type";

	/** Location of the key store holding the client certificate and key (mutual TLS). */
	public static final String KEY_STORE = "key-store";

	/** Password of the key store (and of the key in it). */
	public static final String KEY_STORE_PASSWORD = "key-store-password";

	/** Type of the key store: PKCS12 (default) or JKS. */
	public static final String KEY_STORE_TYPE = "key-store-type";

	/**
	 * TLS protocol for the SSL context: TLS (default: the JVM negotiates TLSv1.3 or
	 * TLSv1.2), TLSv1.3 or TLSv1.2.
	 */
	public static final String PROTOCOL = "protocol";

	/**
	 * Whether the server certificate must match the host name: true (default) or false.
	 */
	public static final String VERIFY_HOSTNAME = "verify-hostname";

	/** Every key, in the order the documentation lists them. */
	public static final List<String> KEYS = List.of(BUNDLE, TRUST_STORE, TRUST_STORE_PASSWORD, TRUST_STORE_TYPE,
			KEY_STORE, KEY_STORE_PASSWORD, KEY_STORE_TYPE, PROTOCOL, VERIFY_HOSTNAME);

	private RabbitSslOptions() {
	}

	static void validate(Map<String, String> options, boolean tls) {
		for (Map.Entry<String, String> option : options.entrySet()) {
			if (!KEYS.contains(option.getKey())) {
				throw new InvalidRabbitConfigException("sslOptions", option.getKey(),
						"unknown option; known options are " + String.join(", ", KEYS));
			}
		}
		String verify = options.get(VERIFY_HOSTNAME);
		if (verify != null && !verify.equalsIgnoreCase("true") && !verify.equalsIgnoreCase("false")) {
			throw new InvalidRabbitConfigException("sslOptions." + VERIFY_HOSTNAME, verify, "must be true or false");
		}
		if (!options.isEmpty() && !tls) {
			throw new InvalidRabbitConfigException("ssl", false,
					"sslOptions are set but TLS is off: set ssl to true or use an amqps:// URL");
		}
	}

	/**
	 * A copy of the options with every password replaced by {@code ******}.
	 * @param options the options
	 * @return the options safe to print
	 */
	public static Map<String, String> masked(Map<String, String> options) {
		Map<String, String> masked = new LinkedHashMap<>();
		options.forEach((key, value) -> masked.put(key, isSecret(key) ? "******" : value));
		return masked;
	}

	private static boolean isSecret(String key) {
		String lower = key.toLowerCase(Locale.ROOT);
		return lower.contains("password") || lower.contains("secret") || lower.contains("passphrase");
	}

}
