package io.zephcast.rabbit.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import com.rabbitmq.client.ConnectionFactory;
import io.zephcast.rabbit.ConnectionOptions;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitSslOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.UrlResource;

/**
 * What {@link RabbitConnectionFactories} does: creates the connection factory a
 * {@link RabbitClient} needs: Spring AMQP's {@link CachingConnectionFactory} with
 * publisher confirms and returns on, named after the stream, over TLS when the
 * configuration asks for it, to the addresses of a cluster's nodes when it lists several.
 * Its connections dispatch consumer callbacks on a {@link ConsumerDispatch}, which lets a
 * thread waiting in a pull run them.
 */
public final class ConnectionFactories {

	private ConnectionFactories() {
	}

	/**
	 * A connection factory for the configuration, with TLS from the given context instead
	 * of the trust and key store options (e.g. from a Spring Boot SSL bundle).
	 * @param connectionName the name the broker shows for the connections
	 * @param config the configuration
	 * @param sslContext the TLS context, or {@code null} to build it from the options
	 * @return the connection factory; the caller destroys it
	 * @throws InvalidRabbitConfigException if the TLS options cannot be used
	 */
	public static CachingConnectionFactory create(String connectionName, RabbitConfig config,
			@Nullable SSLContext sslContext) {
		AmqpUrl url = AmqpUrl.parse(config.url());
		ConnectionOptions options = config.connection();
		List<BrokerAddress> addresses = BrokerAddress.parseAll(options.addresses());
		ConnectionFactory rabbit = (addresses.size() > 1) ? new FailoverConnectionFactory(connectionName)
				: new ConnectionFactory();
		rabbit.setHost(url.host());
		rabbit.setPort(url.port());
		// as Spring Boot does: a login or virtual host in the first address wins over
		// the URL's (the others may only repeat it)
		BrokerAddress first = addresses.isEmpty() ? null : addresses.get(0);
		boolean addressLogin = first != null && first.username() != null;
		String username = addressLogin ? first.username() : url.username();
		String password = addressLogin ? first.password() : url.password();
		rabbit.setVirtualHost((first != null && first.virtualHost() != null) ? first.virtualHost() : url.virtualHost());
		if (username != null) {
			rabbit.setUsername(username);
		}
		if (password != null) {
			rabbit.setPassword(password);
		}
		// Spring AMQP recovers: it opens a new connection and restarts consumers itself
		rabbit.setAutomaticRecoveryEnabled(false);
		rabbit.setTopologyRecoveryEnabled(false);
		// the URL's query parameters (heartbeat, connection_timeout, channel_max) win, as
		// with amqp-client's setUri
		rabbit.setConnectionTimeout((url.connectionTimeoutMillis() != null) ? url.connectionTimeoutMillis()
				: (int) options.connectionTimeout().toMillis());
		// bound what a call may block on a broker that does not answer: opening a
		// channel, declaring (amqp-client's default: 10 min)
		rabbit.setChannelRpcTimeout((int) options.channelRpcTimeout().toMillis());
		// the default 10 s notices a link that died silently within about 20 s
		// (amqp-client's 60 s: 2 min)
		rabbit.setRequestedHeartbeat((url.heartbeatSeconds() != null) ? url.heartbeatSeconds()
				: (int) options.requestedHeartbeat().toSeconds());
		if (url.channelMax() != null) {
			rabbit.setRequestedChannelMax(url.channelMax());
		}
		if (config.usesTls()) {
			SSLContext context = (sslContext != null) ? sslContext : sslContext(config.sslOptions());
			rabbit.useSslProtocol(context);
			if (verifyHostname(config.sslOptions())) {
				rabbit.enableHostnameVerification();
			}
		}
		CachingConnectionFactory factory = new ClientConnectionFactory(rabbit);
		factory.setPublisherConfirmType(ConfirmType.CORRELATED);
		factory.setPublisherReturns(true);
		factory.setConnectionNameStrategy((cf) -> connectionName);
		if (!addresses.isEmpty()) {
			boolean tls = config.usesTls();
			factory.setAddresses(addresses.stream().map((address) -> address.hostAndPort(tls)).toList());
			// setAddresses reaches the publisher connection's factory, the shuffle mode
			// does not
			factory.setAddressShuffleMode(options.addressShuffleMode());
			if (factory.getPublisherConnectionFactory() instanceof AbstractConnectionFactory publisher) {
				publisher.setAddressShuffleMode(options.addressShuffleMode());
			}
		}
		factory.setExecutor(new ConsumerDispatch(connectionName,
				Math.max(Runtime.getRuntime().availableProcessors(), config.concurrency() + 1)));
		return factory;
	}

	/**
	 * The TLS context the trust and key store options describe.
	 * @param options the TLS options
	 * @return the context
	 * @throws InvalidRabbitConfigException naming the option that cannot be used
	 */
	static SSLContext sslContext(Map<String, String> options) {
		if (options.containsKey(RabbitSslOptions.BUNDLE)) {
			throw new InvalidRabbitConfigException("sslOptions." + RabbitSslOptions.BUNDLE,
					options.get(RabbitSslOptions.BUNDLE), "SSL bundles are resolved by the zephcast Spring Boot "
							+ "starter; without Spring Boot use trust-store and key-store");
		}
		String protocol = options.getOrDefault(RabbitSslOptions.PROTOCOL, "TLS");
		TrustManager[] trustManagers = trustManagers(options);
		KeyManager[] keyManagers = keyManagers(options);
		try {
			SSLContext context = SSLContext.getInstance(protocol);
			context.init(keyManagers, trustManagers, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + RabbitSslOptions.PROTOCOL, protocol,
					"not a TLS protocol this JVM supports (" + ex.getMessage() + ")");
		}
	}

	private static TrustManager @Nullable [] trustManagers(Map<String, String> options) {
		KeyStore store = loadStore(options, RabbitSslOptions.TRUST_STORE, RabbitSslOptions.TRUST_STORE_PASSWORD,
				RabbitSslOptions.TRUST_STORE_TYPE);
		if (store == null) {
			return null;
		}
		try {
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(store);
			return factory.getTrustManagers();
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + RabbitSslOptions.TRUST_STORE,
					options.get(RabbitSslOptions.TRUST_STORE),
					"cannot be used as a trust store (" + ex.getMessage() + ")");
		}
	}

	private static KeyManager @Nullable [] keyManagers(Map<String, String> options) {
		KeyStore store = loadStore(options, RabbitSslOptions.KEY_STORE, RabbitSslOptions.KEY_STORE_PASSWORD,
				RabbitSslOptions.KEY_STORE_TYPE);
		if (store == null) {
			return null;
		}
		String password = options.get(RabbitSslOptions.KEY_STORE_PASSWORD);
		try {
			KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			factory.init(store, (password != null) ? password.toCharArray() : new char[0]);
			return factory.getKeyManagers();
		}
		catch (UnrecoverableKeyException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + RabbitSslOptions.KEY_STORE_PASSWORD, "******",
					"cannot unlock the private key in " + options.get(RabbitSslOptions.KEY_STORE));
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + RabbitSslOptions.KEY_STORE,
					options.get(RabbitSslOptions.KEY_STORE), "cannot be used as a key store (" + ex.getMessage() + ")");
		}
	}

	private static @Nullable KeyStore loadStore(Map<String, String> options, String locationKey, String passwordKey,
			String typeKey) {
		String location = options.get(locationKey);
		if (location == null || location.isBlank()) {
			return null;
		}
		String type = options.getOrDefault(typeKey, "PKCS12");
		String password = options.get(passwordKey);
		KeyStore store;
		try {
			store = KeyStore.getInstance(type);
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + typeKey, type, "unknown key store type");
		}
		try (InputStream in = resource(location).getInputStream()) {
			store.load(in, (password != null) ? password.toCharArray() : null);
			return store;
		}
		catch (FileNotFoundException | NoSuchFileException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + locationKey, location, "file not found");
		}
		catch (IOException ex) {
			if (ex.getCause() instanceof UnrecoverableKeyException
					|| String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT).contains("password")) {
				throw new InvalidRabbitConfigException("sslOptions." + passwordKey, "******",
						"wrong password for " + location);
			}
			throw new InvalidRabbitConfigException("sslOptions." + locationKey, location,
					"cannot be read as a " + type + " store (" + ex.getMessage() + ")");
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidRabbitConfigException("sslOptions." + locationKey, location,
					"cannot be read as a " + type + " store (" + ex.getMessage() + ")");
		}
	}

	private static Resource resource(String location) throws IOException {
		if (location.startsWith("classpath:")) {
			return new ClassPathResource(location.substring("classpath:".length()));
		}
		if (location.startsWith("file:") || location.startsWith("http:") || location.startsWith("https:")) {
			return new UrlResource(location);
		}
		return new FileSystemResource(location);
	}

	static boolean verifyHostname(Map<String, String> options) {
		return !"false".equalsIgnoreCase(options.getOrDefault(RabbitSslOptions.VERIFY_HOSTNAME, "true"));
	}

}
