package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory.AddressShuffleMode;
import org.springframework.boot.convert.DurationUnit;

/**
 * How a stream reaches the broker beyond its URL, with Spring Boot's names for
 * {@code spring.rabbitmq.*}: the nodes of a cluster and the connection's timeouts. The
 * keys sit beside the stream's others ({@code zephcast.rabbit.addresses}); a named stream
 * inherits each one it does not set. Every value is {@code null} until set, the default
 * coming from {@link io.zephcast.rabbit.ConnectionOptions}.
 */
public class ZephcastConnectionProperties {

	/**
	 * Comma-separated list of the nodes to connect to, host:port each (or
	 * amqp://user:password@host:port/vhost, as Spring Boot accepts). The client connects
	 * to the first that answers and moves to another when its node is lost. User,
	 * password and virtual host come from the url unless the first address names them.
	 * Empty to connect to the url's host and port. A named stream inherits it, unless it
	 * sets its own url.
	 */
	private @Nullable List<String> addresses;

	/**
	 * Order the addresses are tried in: none (as listed), random (shuffled for each new
	 * connection) or inorder (rotated after each new connection, which spreads
	 * applications over the nodes). A named stream inherits it.
	 */
	private @Nullable AddressShuffleMode addressShuffleMode;

	/**
	 * Heartbeat interval the client asks for; a link that died silently is noticed within
	 * about two intervals. If a duration suffix is not specified, seconds will be used;
	 * zero for none. A heartbeat query parameter in the url wins. A named stream inherits
	 * it.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration requestedHeartbeat;

	/**
	 * How long opening the connection to one address may take before the next is tried. A
	 * connection_timeout query parameter in the url wins. A named stream inherits it.
	 */
	private @Nullable Duration connectionTimeout;

	/**
	 * How long a request to the broker (open a channel, declare) may wait for its answer.
	 * A named stream inherits it.
	 */
	private @Nullable Duration channelRpcTimeout;

	public @Nullable List<String> getAddresses() {
		return this.addresses;
	}

	public void setAddresses(@Nullable List<String> addresses) {
		this.addresses = addresses;
	}

	public @Nullable AddressShuffleMode getAddressShuffleMode() {
		return this.addressShuffleMode;
	}

	public void setAddressShuffleMode(@Nullable AddressShuffleMode addressShuffleMode) {
		this.addressShuffleMode = addressShuffleMode;
	}

	public @Nullable Duration getRequestedHeartbeat() {
		return this.requestedHeartbeat;
	}

	public void setRequestedHeartbeat(@Nullable Duration requestedHeartbeat) {
		this.requestedHeartbeat = requestedHeartbeat;
	}

	public @Nullable Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(@Nullable Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

	public @Nullable Duration getChannelRpcTimeout() {
		return this.channelRpcTimeout;
	}

	public void setChannelRpcTimeout(@Nullable Duration channelRpcTimeout) {
		this.channelRpcTimeout = channelRpcTimeout;
	}

}
