package io.zephcast.rabbit.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.ConnectionBuilder;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Resource;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The AMQP 1.0 connection of a client: an {@link Environment} of RabbitMQ's AMQP 1.0
 * client (its executors) and one {@link Connection} named after the stream, with the
 * client's own connection recovery on. Login, virtual host and TLS come from the same
 * settings as over AMQP 0-9-1 (url, addresses, ssl and sslOptions). A connection that
 * cannot be opened leaves nothing behind: the environment is closed with it.
 * <p>
 * The connection dispatches deliveries on a pool of its own that grows to one thread per
 * busy consumer: the AMQP 1.0 client keeps each consumer's deliveries in order on one
 * thread at a time, but its default pool has one thread per processor, so
 * {@code concurrency} links on a small machine would share fewer threads and a handler
 * would not run {@code concurrency} times at once, as it does over AMQP 0-9-1.
 */
final class Amqp10Connection {

	private final String streamName;

	private final RabbitConfig config;

	private volatile @Nullable Environment environment;

	private volatile @Nullable Connection connection;

	private @Nullable ExecutorService dispatching;

	private volatile RabbitClientStatus.@Nullable ConnectionFailure lastFailure;

	/** Set by {@link #shutdown()}: no connection opens any more. */
	private volatile boolean shutDown;

	/**
	 * Told when the connection is open again after a recovery; on the client's thread.
	 */
	private volatile Runnable recovered = () -> {
	};

	/**
	 * Where the AMQP 1.0 client runs its publishers' settlement callbacks: the client's
	 * callback executor, so that a send's future completes there without a second
	 * hand-off ({@link Amqp10Publisher}).
	 */
	private final ExecutorService settlementCallbacks;

	Amqp10Connection(String streamName, RabbitConfig config, ExecutorService settlementCallbacks) {
		this.streamName = streamName;
		this.config = config;
		this.settlementCallbacks = settlementCallbacks;
	}

	/**
	 * Opens the environment and the connection, once.
	 * @return the connection
	 * @throws RabbitConnectionException if the broker cannot be reached or refuses the
	 * login
	 * @throws BrokerCompatibilityException if the broker does not speak AMQP 1.0 as
	 * RabbitMQ 4 does
	 */
	synchronized Connection open() {
		Connection open = this.connection;
		if (open != null) {
			return open;
		}
		if (this.shutDown) {
			throw new RabbitConnectionException("RabbitClient '" + this.streamName + "' is closed: its AMQP 1.0 "
					+ "connection does not open again", this.config.maskedAddresses(), null);
		}
		// the environment does not shut down an executor it was given
		Environment created = new AmqpEnvironmentBuilder().publisherExecutorService(this.settlementCallbacks).build();
		ExecutorService dispatch = dispatchingPool();
		try {
			ConnectionBuilder builder = created.connectionBuilder().name(this.streamName).dispatchingExecutor(dispatch);
			settings(builder);
			builder.recovery().activated(true).topology(true);
			builder.listeners((context) -> {
				if (context.failureCause() != null) {
					this.lastFailure = new RabbitClientStatus.ConnectionFailure(Instant.now(),
							mask(rootMessage(context.failureCause())));
				}
				if (context.previousState() == Resource.State.RECOVERING
						&& context.currentState() == Resource.State.OPEN) {
					this.recovered.run();
				}
			});
			Connection connected = builder.build();
			this.environment = created;
			this.dispatching = dispatch;
			this.connection = connected;
			return connected;
		}
		catch (RuntimeException ex) {
			// no thread nor socket may outlive a failed connect
			closeQuietly(created);
			dispatch.shutdownNow();
			RuntimeException failure = failure(ex);
			this.lastFailure = new RabbitClientStatus.ConnectionFailure(Instant.now(), failure.getMessage());
			throw failure;
		}
	}

	/**
	 * Threads named as a 0-9-1 connection's dispatch threads, one per consumer and one
	 * more (the AMQP 1.0 client runs a consumer's deliveries one task at a time, and a
	 * consumer being replaced may still finish some), all ended when the connection
	 * closes. Idle threads wait without a timeout, as in the AMQP 1.0 client's own pool:
	 * a pool whose idle threads time out (a cached pool) arms a kernel timer each time a
	 * thread goes idle, which at prefetch 1 is once per message: zephcast spent 75 us of
	 * client CPU per message there against the raw AMQP 1.0 client's 57, and 55 against
	 * 55 with this pool (zephcast-benchmarks, consume-only at prefetch 1 over AMQP 1.0).
	 */
	private ExecutorService dispatchingPool() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("zephcast-" + this.streamName + "-");
		threads.setDaemon(true);
		int size = this.config.concurrency() + 1;
		return new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), threads);
	}

	private void settings(ConnectionBuilder builder) {
		AmqpUrl url = AmqpUrl.parse(this.config.url());
		List<BrokerAddress> addresses = BrokerAddress.parseAll(this.config.connection().addresses());
		BrokerAddress first = addresses.isEmpty() ? null : addresses.get(0);
		boolean addressLogin = first != null && first.username() != null;
		String username = addressLogin ? first.username() : url.username();
		String password = addressLogin ? first.password() : url.password();
		String virtualHost = (first != null && first.virtualHost() != null) ? first.virtualHost() : url.virtualHost();
		boolean tls = this.config.usesTls();
		String scheme = tls ? "amqps://" : "amqp://";
		if (addresses.isEmpty()) {
			builder.uri(scheme + url.host() + ":" + url.port());
		}
		else {
			builder.uris(addresses.stream().map((address) -> scheme + address.hostAndPort(tls)).toArray(String[]::new));
		}
		// after the URIs, which would otherwise set them: the AMQP 1.0 client reads an
		// empty path as the vhost "", zephcast (as amqp-client) as "/"
		builder.virtualHost(virtualHost.isEmpty() ? "/" : virtualHost);
		if (username != null) {
			builder.username(username);
		}
		if (password != null) {
			builder.password(password);
		}
		if (tls) {
			SSLContext context = ConnectionFactories.sslContext(this.config.sslOptions());
			builder.tls()
				.sslContext(context)
				.hostnameVerification(ConnectionFactories.verifyHostname(this.config.sslOptions()));
		}
	}

	/**
	 * Sets what to do when the connection is open again after a recovery: the AMQP 1.0
	 * client recovers the links, but not what it could not (a consumer whose queue was
	 * deleted meanwhile), and declares again only exclusive or auto-delete queues.
	 * @param recovered called on the client's thread: must hand its work off
	 */
	void onRecovered(Runnable recovered) {
		this.recovered = recovered;
	}

	/**
	 * Whether a link or a management request failed because the connection is lost: the
	 * AMQP 1.0 client refuses them while it recovers (an invalid state of its own,
	 * without a cause), and fails those under way when the connection drops. A refusal by
	 * the broker on an open connection (a queue that does not exist, a link it closes, a
	 * mismatched topology) is not one.
	 * @param ex the failure
	 * @return whether it is a connection loss
	 */
	static boolean isLoss(RuntimeException ex) {
		return ex instanceof RabbitConnectionException || ex instanceof AmqpException.AmqpConnectionException
				|| (ex instanceof AmqpException.AmqpResourceInvalidStateException && ex.getCause() == null);
	}

	/** What the connection last failed with, without credentials, or {@code null}. */
	RabbitClientStatus.@Nullable ConnectionFailure lastFailure() {
		return this.lastFailure;
	}

	/** The open connection, or {@code null}. */
	@Nullable Connection connection() {
		return this.connection;
	}

	/**
	 * Closes the connection and the environment for good, for the client's close: a later
	 * {@link #open} fails. Waits for an open under way (which may hold its connection
	 * until the broker answers or its open timeout passes), then closes what it opened.
	 */
	void shutdown() {
		this.shutDown = true;
		close();
	}

	/** Closes the connection and the environment; a later {@link #open} opens anew. */
	synchronized void close() {
		Connection open = this.connection;
		Environment env = this.environment;
		ExecutorService dispatch = this.dispatching;
		this.connection = null;
		this.environment = null;
		this.dispatching = null;
		if (open != null) {
			try {
				open.close();
			}
			catch (RuntimeException ex) {
				// closing anyway: the environment closes what is left
			}
		}
		closeQuietly(env);
		if (dispatch != null) {
			// after the connection: the client no longer dispatches to it
			dispatch.shutdown();
		}
	}

	private static void closeQuietly(@Nullable Environment environment) {
		if (environment != null) {
			try {
				environment.close();
			}
			catch (RuntimeException ex) {
				// nothing more to release
			}
		}
	}

	/**
	 * What a failed connect means in the client's terms, without credentials.
	 */
	private RuntimeException failure(RuntimeException ex) {
		if (ex instanceof RabbitConnectionException || ex instanceof BrokerCompatibilityException
				|| !(ex instanceof AmqpException || ex instanceof IllegalStateException)) {
			return ex;
		}
		String reason = mask(rootMessage(ex));
		if (notRabbitMq4(ex)) {
			return incompatible(reason, ex);
		}
		return new RabbitConnectionException("Cannot connect to RabbitMQ at " + this.config.maskedAddresses()
				+ " over AMQP 1.0 for stream '" + this.streamName + "': " + reason, this.config.maskedAddresses(), ex);
	}

	/**
	 * Whether the broker answered, but not as RabbitMQ 4: a RabbitMQ 3.x without the AMQP
	 * 1.0 plugin answers the AMQP 1.0 protocol header with AMQP 0-9-1's (a malformed
	 * header to the AMQP 1.0 client); with the plugin, the client finds its version below
	 * 4.0.
	 */
	private static boolean notRabbitMq4(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = String.valueOf(cause.getMessage());
			if (cause.getClass().getSimpleName().equals("MalformedAMQPHeaderException")
					|| message.contains("requires RabbitMQ 4.0 or more") || message.contains("No broker version set")) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	BrokerCompatibilityException incompatible(String reason, @Nullable Throwable cause) {
		BrokerCompatibilityException failure = new BrokerCompatibilityException("The broker at "
				+ this.config.maskedAddresses() + " does not speak AMQP 1.0 as RabbitMQ 4 does (" + reason
				+ "): the setting protocol=amqp-1-0 needs RabbitMQ 4.0 or later; use protocol=amqp-0-9-1 with "
				+ "an older broker", "protocol", "unknown");
		if (cause != null) {
			// the exception's cause is fixed by its constructor
			failure.addSuppressed(cause);
		}
		return failure;
	}

	static String rootMessage(Throwable ex) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		String message = (cause.getMessage() != null) ? cause.getMessage() : ex.getMessage();
		return (message != null) ? message : cause.getClass().getSimpleName();
	}

	/** Removes the password (and its URL-encoded form) from a message. */
	String mask(String message) {
		String masked = message;
		for (String url : List.of(this.config.url())) {
			AmqpUrl parsed = AmqpUrl.parse(url);
			masked = maskSecret(masked, parsed.password());
		}
		for (BrokerAddress address : BrokerAddress.parseAll(this.config.connection().addresses())) {
			masked = maskSecret(masked, address.password());
		}
		return masked;
	}

	private static String maskSecret(String message, @Nullable String secret) {
		if (secret == null || secret.isEmpty()) {
			return message;
		}
		return message.replace(secret, "******").replace(URLEncoder.encode(secret, StandardCharsets.UTF_8), "******");
	}

}
