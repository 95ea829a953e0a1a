package io.zephcast.rabbit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import io.zephcast.rabbit.internal.AmqpUrl;
import io.zephcast.rabbit.internal.BrokerAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;

/**
 * How a {@link RabbitClient} reaches the broker beyond its URL: the nodes of a cluster to
 * try, in which order, and the timeouts of the connection. Named and defaulted as Spring
 * Boot names them for {@code spring.rabbitmq.*}. Immutable and valid: build one with
 * {@link #builder()}; {@link Builder#build()} refuses values that cannot work, naming the
 * setting ({@link InvalidRabbitConfigException}). Part of {@link RabbitConfig}, whose
 * builder sets it.
 */
public final class ConnectionOptions {

	/** The default of the three timeouts. */
	static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** No addresses (the URL's host and port), and the 10 s timeouts. */
	public static final ConnectionOptions DEFAULTS = builder().build();

	private final List<String> addresses;

	private final AddressShuffleMode addressShuffleMode;

	private final Duration requestedHeartbeat;

	private final Duration connectionTimeout;

	private final Duration channelRpcTimeout;

	private ConnectionOptions(Builder builder) {
		BrokerAddress.parseAll(builder.addresses);
		if (builder.requestedHeartbeat.isNegative() || builder.requestedHeartbeat.toSeconds() > 65535) {
			throw new InvalidRabbitConfigException("requestedHeartbeat", builder.requestedHeartbeat,
					"must be from 0 (no heartbeat) to 65535 seconds");
		}
		checkPositiveMillis("connectionTimeout", builder.connectionTimeout,
				"zero would wait forever for an address that does not answer");
		checkPositiveMillis("channelRpcTimeout", builder.channelRpcTimeout,
				"zero would let a call wait forever on a broker that does not answer");
		this.addresses = List.copyOf(builder.addresses);
		this.addressShuffleMode = builder.addressShuffleMode;
		this.requestedHeartbeat = builder.requestedHeartbeat;
		this.connectionTimeout = builder.connectionTimeout;
		this.channelRpcTimeout = builder.channelRpcTimeout;
	}

	/**
	 * The nodes to connect to, {@code host[:port]} each (or
	 * {@code amqp[s]://[user[:password]@]host[:port][/vhost]}, as Spring Boot accepts);
	 * empty to connect to the URL's host and port. The client connects to the first that
	 * answers and moves to another when its node is lost. User, password and virtual host
	 * come from the URL unless the first address names them; they may hold credentials:
	 * log {@link #maskedAddresses()} instead.
	 * @return the addresses, unmodifiable
	 */
	public List<String> addresses() {
		return this.addresses;
	}

	/**
	 * The order the addresses are tried in: {@code NONE} as listed, {@code RANDOM}
	 * shuffled for each new connection, {@code INORDER} rotated by one after each new
	 * connection (spreads clients over the nodes).
	 * @return the shuffle mode
	 */
	public AddressShuffleMode addressShuffleMode() {
		return this.addressShuffleMode;
	}

	/**
	 * The heartbeat interval the client asks for, whole seconds; zero for none. A link
	 * that died silently is noticed within about two intervals.
	 * @return 0 to 65535 seconds
	 */
	public Duration requestedHeartbeat() {
		return this.requestedHeartbeat;
	}

	/**
	 * How long opening the TCP connection to one address may take before the next is
	 * tried.
	 * @return a positive timeout
	 */
	public Duration connectionTimeout() {
		return this.connectionTimeout;
	}

	/**
	 * How long a request to the broker (open a channel, declare) may wait for its answer.
	 * @return a positive timeout
	 */
	public Duration channelRpcTimeout() {
		return this.channelRpcTimeout;
	}

	private static void checkPositiveMillis(String setting, Duration value, String why) {
		if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
			throw new InvalidRabbitConfigException(setting, value, "must be positive and below 24 days (" + why + ")");
		}
	}

	/**
	 * A builder with the defaults: no addresses, shuffle mode none, 10 s heartbeat,
	 * connection timeout and channel RPC timeout.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * A builder that starts from these options.
	 * @return a new builder holding these values
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * Whether an address says {@code amqps://}, which turns TLS on.
	 * @return whether the addresses ask for TLS
	 */
	public boolean usesTls() {
		return BrokerAddress.parseAll(this.addresses).stream().anyMatch(BrokerAddress::tls);
	}

	/**
	 * The addresses without user names and passwords, comma-separated, for messages and
	 * logs.
	 * @return the masked addresses, empty when none are set
	 */
	public String maskedAddresses() {
		return this.addresses.stream().map(AmqpUrl::mask).collect(Collectors.joining(","));
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof ConnectionOptions that && this.addresses.equals(that.addresses)
				&& this.addressShuffleMode == that.addressShuffleMode
				&& this.requestedHeartbeat.equals(that.requestedHeartbeat)
				&& this.connectionTimeout.equals(that.connectionTimeout)
				&& this.channelRpcTimeout.equals(that.channelRpcTimeout));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.addresses, this.addressShuffleMode, this.requestedHeartbeat, this.connectionTimeout,
				this.channelRpcTimeout);
	}

	/**
	 * The options with the addresses' credentials masked.
	 */
	@Override
	public String toString() {
		return "ConnectionOptions[addresses=" + maskedAddresses() + ", addressShuffleMode=" + this.addressShuffleMode
				+ ", requestedHeartbeat=" + this.requestedHeartbeat + ", connectionTimeout=" + this.connectionTimeout
				+ ", channelRpcTimeout=" + this.channelRpcTimeout + "]";
	}

	/**
	 * Builds {@link ConnectionOptions}; {@link RabbitConfig.Builder} delegates to one.
	 */
	public static final class Builder {

		private List<String> addresses = List.of();

		private AddressShuffleMode addressShuffleMode = AddressShuffleMode.NONE;

		private Duration requestedHeartbeat = DEFAULT_TIMEOUT;

		private Duration connectionTimeout = DEFAULT_TIMEOUT;

		private Duration channelRpcTimeout = DEFAULT_TIMEOUT;

		private Builder() {
		}

		private Builder(ConnectionOptions options) {
			this.addresses = options.addresses();
			this.addressShuffleMode = options.addressShuffleMode();
			this.requestedHeartbeat = options.requestedHeartbeat();
			this.connectionTimeout = options.connectionTimeout();
			this.channelRpcTimeout = options.channelRpcTimeout();
		}

		/**
		 * The nodes to connect to.
		 * @param addresses {@code host[:port]} each, or a comma-separated list of them;
		 * none to connect to the URL's host and port
		 * @return this builder
		 */
		public Builder addresses(String... addresses) {
			return addresses(Arrays.stream(addresses)
				.flatMap((address) -> Arrays.stream(address.split(",")))
				.map(String::trim)
				.filter((address) -> !address.isEmpty())
				.toList());
		}

		/**
		 * The nodes to connect to.
		 * @param addresses {@code host[:port]} each; empty to connect to the URL's host
		 * and port
		 * @return this builder
		 */
		public Builder addresses(List<String> addresses) {
			this.addresses = new ArrayList<>(Objects.requireNonNull(addresses, "addresses"));
			return this;
		}

		/**
		 * The order the addresses are tried in; default {@code NONE}.
		 * @param addressShuffleMode none, random or inorder
		 * @return this builder
		 */
		public Builder addressShuffleMode(AddressShuffleMode addressShuffleMode) {
			this.addressShuffleMode = Objects.requireNonNull(addressShuffleMode, "addressShuffleMode");
			return this;
		}

		/**
		 * The heartbeat interval the client asks for; default 10 s.
		 * @param requestedHeartbeat whole seconds, zero for none
		 * @return this builder
		 */
		public Builder requestedHeartbeat(Duration requestedHeartbeat) {
			this.requestedHeartbeat = Objects.requireNonNull(requestedHeartbeat, "requestedHeartbeat");
			return this;
		}

		/**
		 * How long opening the connection to one address may take; default 10 s.
		 * @param connectionTimeout positive
		 * @return this builder
		 */
		public Builder connectionTimeout(Duration connectionTimeout) {
			this.connectionTimeout = Objects.requireNonNull(connectionTimeout, "connectionTimeout");
			return this;
		}

		/**
		 * How long a request to the broker may wait for its answer; default 10 s.
		 * @param channelRpcTimeout positive
		 * @return this builder
		 */
		public Builder channelRpcTimeout(Duration channelRpcTimeout) {
			this.channelRpcTimeout = Objects.requireNonNull(channelRpcTimeout, "channelRpcTimeout");
			return this;
		}

		/**
		 * Validates the options and builds them.
		 * @return the options
		 * @throws InvalidRabbitConfigException naming the first setting that cannot work
		 */
		public ConnectionOptions build() {
			return new ConnectionOptions(this);
		}

	}

}
