package io.zephcast.rabbit.internal;

import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;

/**
 * What a client's {@link RabbitClientStatus} reads the same way over both protocols: its
 * name, URL and lifecycle state, the consumers it is configured for, when a broker check
 * asks for the queue, and how a failed check is reported. {@link ClientStatus} (AMQP
 * 0-9-1) and {@link Amqp10Status} (AMQP 1.0) read the rest from their protocol's parts.
 */
abstract class AbstractClientStatus implements RabbitClientStatus {

	private final String streamName;

	private final RabbitConfig config;

	private final RabbitTopology topology;

	private final Supplier<ClientLifecycle.State> lifecycleState;

	/**
	 * Creates the status.
	 * @param streamName the stream name
	 * @param config the configuration
	 * @param topology the topology
	 * @param lifecycleState the client's lifecycle state, read on each call
	 */
	AbstractClientStatus(String streamName, RabbitConfig config, RabbitTopology topology,
			Supplier<ClientLifecycle.State> lifecycleState) {
		this.streamName = streamName;
		this.config = config;
		this.topology = topology;
		this.lifecycleState = lifecycleState;
	}

	@Override
	public final String streamName() {
		return this.streamName;
	}

	@Override
	public final String url() {
		return this.config.maskedUrl();
	}

	@Override
	public final boolean isRunning() {
		return this.lifecycleState.get() == ClientLifecycle.State.RUNNING;
	}

	@Override
	public final String state() {
		return this.lifecycleState.get().name();
	}

	@Override
	public final int consumersConfigured() {
		return isConsuming() ? this.config.concurrency() : 0;
	}

	/**
	 * Whether {@link #checkBroker()} reports the queue: only when the client consumes
	 * from it or declares it, since otherwise it need not exist.
	 * @return whether to ask for the queue
	 */
	final boolean checksQueue() {
		return isConsuming() || this.topology.declaresQueueOnConnect();
	}

	/**
	 * The queue {@link #checkBroker()} asks for.
	 * @return its name
	 */
	final String queueName() {
		return this.topology.queueName();
	}

	/**
	 * What {@link #checkBroker()} throws when the broker cannot be reached.
	 * @param failure why
	 * @param rootMessage the innermost message of the failure
	 * @param mask what hides credentials in the message
	 * @return the exception to throw
	 */
	final RabbitConnectionException unreachable(Exception failure, String rootMessage, UnaryOperator<String> mask) {
		return new RabbitConnectionException(mask.apply("Cannot reach RabbitMQ at " + this.config.maskedUrl()
				+ " for stream '" + this.streamName + "': " + rootMessage), this.config.maskedUrl(), failure);
	}

}
