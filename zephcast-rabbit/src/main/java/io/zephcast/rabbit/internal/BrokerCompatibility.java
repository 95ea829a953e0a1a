package io.zephcast.rabbit.internal;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.listener.AbstractMessageListenerContainer;

/**
 * The checks that depend on the broker's version, run once the connection tells it
 * ({@link BrokerInfo}) and before anything is declared. What RabbitMQ 4 removed or
 * deprecates (and denies by default from 4.3) is refused on 4.x with a
 * {@link BrokerCompatibilityException} naming the setting and what to use instead, and
 * logged at WARN (once per client and setting) on 3.x, where it still works. A quorum
 * queue without a dead-letter exchange on 4.x is only warned about: it works, but the
 * broker's default delivery limit drops what it takes. Only what the client declares is
 * checked: with {@code declare} verify or false the queues are the operators'.
 */
final class BrokerCompatibility {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/** RabbitMQ 4's default delivery limit of quorum queues. */
	static final int DEFAULT_DELIVERY_LIMIT = 20;

	/** The queue arguments RabbitMQ 4 dropped, and what to do instead. */
	private static final Map<String, String> REMOVED_ARGUMENTS = Map.of("x-queue-mode",
			"RabbitMQ 4 removed lazy mode (classic queues keep messages on disk by themselves): remove x-queue-mode "
					+ "from queue.arguments",
			"x-queue-master-locator",
			"RabbitMQ 4 removed classic mirrored queues and their masters: use x-queue-leader-locator (client-local "
					+ "or balanced) in queue.arguments instead");

	private final String streamName;

	private final RabbitConfig config;

	private final @Nullable AbstractMessageListenerContainer container;

	/** The settings already warned about: each is logged once per client. */
	private final Set<String> warned = ConcurrentHashMap.newKeySet();

	/**
	 * The checks of a client.
	 * @param streamName the client's stream name, for messages
	 * @param config its configuration
	 * @param container its listener container, to check its QoS; {@code null} if unknown
	 */
	BrokerCompatibility(String streamName, RabbitConfig config, @Nullable AbstractMessageListenerContainer container) {
		this.streamName = streamName;
		this.config = config;
		this.container = container;
	}

	/**
	 * The checks of the client's settings, at connect.
	 * @param broker the broker connected to
	 * @throws BrokerCompatibilityException on RabbitMQ 4.x, for a setting it removed or
	 * deprecates
	 */
	void checkClient(BrokerInfo broker) {
		QueueArguments queue = this.config.queue();
		if (this.config.queueType() == QueueType.QUORUM && !queue.hasDeadLetterExchange()) {
			Integer limit = queue.deliveryLimit();
			if (limit != null || broker.isRabbitMq4()) {
				String source = (limit != null) ? "queue.deliveryLimit is " + limit
						: broker.describe() + " gives quorum queues a delivery limit of " + DEFAULT_DELIVERY_LIMIT
								+ " (queue.deliveryLimit not set)";
				warnOnce("queue.deadLetterExchange", "RabbitClient '" + this.streamName
						+ "' declares a quorum queue without a dead-letter exchange (queue.deadLetterExchange), and "
						+ source + ": a message requeued more often than that (nacked with requeue, or "
						+ "delivered to consumers that died) is dropped by the broker, not dead-lettered. Set "
						+ "queue.deadLetterExchange (or a dead-letter policy on the queue) so the broker "
						+ "dead-letters it; the client's own retries and dead-letter queue are not affected");
			}
		}
		if (this.container instanceof CountingListenerContainer counting && counting.usesGlobalQos()) {
			notSupported(broker, "prefetchCount", "globalQos", "RabbitClient '" + this.streamName
					+ "' has a listener container with global QoS (setGlobalQos(true)), which RabbitMQ 4 deprecates "
					+ "(global_qos, denied by default from 4.3) and quorum queues do not support: leave it off, "
					+ "so that prefetchCount (" + this.config.prefetchCount() + ") limits each consumer");
		}
	}

	/**
	 * The checks of what is about to be declared.
	 * @param broker the broker connected to
	 * @param declarables what the client declares next
	 * @throws BrokerCompatibilityException on RabbitMQ 4.x, for a queue setting it
	 * removed or deprecates
	 */
	void checkDeclarations(BrokerInfo broker, Declarables declarables) {
		for (Declarable declarable : declarables.getDeclarables()) {
			if (declarable instanceof Queue queue) {
				checkQueue(broker, queue);
			}
		}
	}

	private void checkQueue(BrokerInfo broker, Queue queue) {
		if (!queue.isDurable() && !queue.isExclusive()) {
			notSupported(broker, "durable", "durable", "RabbitClient '" + this.streamName + "' declares queue '"
					+ queue.getName() + "' non-durable and non-exclusive (durable=false), which RabbitMQ 4 "
					+ "deprecates (transient_nonexcl_queues, denied by default from 4.3): set durable=true (with "
					+ "autoDelete=true, or x-expires in queue.arguments, for a queue that should not outlive its "
					+ "use)");
		}
		for (Map.Entry<String, String> removed : REMOVED_ARGUMENTS.entrySet()) {
			if (queue.getArguments().containsKey(removed.getKey())) {
				notSupported(broker, "queue.arguments", removed.getKey(),
						"RabbitClient '" + this.streamName + "' declares queue '" + queue.getName() + "' with "
								+ removed.getKey() + ": " + removed.getValue());
			}
		}
	}

	/**
	 * Refuses on RabbitMQ 4.x, warns once otherwise.
	 * @param broker the broker
	 * @param setting the setting to change
	 * @param warning what the warning is about: one warning each per client, however many
	 * queues it concerns
	 * @param message what is wrong and what to use instead
	 */
	private void notSupported(BrokerInfo broker, String setting, String warning, String message) {
		if (broker.isRabbitMq4()) {
			throw new BrokerCompatibilityException(message + " (broker: " + broker.describe() + ")", setting,
					broker.version());
		}
		warnOnce(warning, message + ". " + broker.describe()
				+ " still accepts it; RabbitMQ 4 refuses it, and so will this " + "client there");
	}

	private void warnOnce(String key, String message) {
		if (this.warned.add(key) && logger.isWarnEnabled()) {
			logger.warn(message);
		}
	}

}
