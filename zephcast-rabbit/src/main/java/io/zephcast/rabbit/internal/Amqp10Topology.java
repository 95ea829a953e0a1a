package io.zephcast.rabbit.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.client.amqp.AmqpException;
import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.Publisher;
import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.InvalidRabbitConfigException;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.QueueType;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.TopologyMismatchException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;

/**
 * Declares, verifies or leaves alone a client's topology over AMQP 1.0, through RabbitMQ
 * 4's AMQP 1.0 management ({@link Management}): the same exchange, queue, bindings, wait
 * queues and dead-letter queue as {@link RabbitTopology} describes for AMQP 0-9-1, with
 * the same {@link DeclareMode}s.
 * <p>
 * What AMQP 1.0 management cannot express:
 * <ul>
 * <li>{@code durable=false}: management declares durable exchanges and queues only, so a
 * client that declares or verifies its topology refuses it ({@link #checkSupported}),
 * naming the setting, when it is built; with {@code declare=false} it only makes the
 * messages transient;</li>
 * <li>verifying an exchange: management has no exchange lookup, so {@code declare=verify}
 * checks that the exchange exists (by attaching a publisher to it) but not its type;
 * bindings are not verified, as over AMQP 0-9-1.</li>
 * </ul>
 */
final class Amqp10Topology {

	private static final Pattern INEQUIVALENT_ARG = Pattern.compile("inequivalent arg '([^']+)'");

	private final RabbitConfig config;

	Amqp10Topology(RabbitConfig config) {
		this.config = config;
	}

	/**
	 * Refuses what AMQP 1.0 management cannot declare.
	 * @param config the configuration
	 * @throws InvalidRabbitConfigException naming {@code durable}
	 */
	static void checkSupported(RabbitConfig config) {
		if (!config.durable() && config.declare() != DeclareMode.OFF) {
			throw new InvalidRabbitConfigException("durable", false,
					"with protocol amqp-1-0 the client declares through RabbitMQ's AMQP 1.0 management, which "
							+ "declares durable exchanges and queues only: set durable=true (autoDelete still "
							+ "removes them when unused), or declare=false and declare them yourself");
		}
	}

	/** Declares, verifies or leaves alone the declarables, as {@code declare} says. */
	void apply(Connection connection, Declarables declarables) {
		switch (this.config.declare()) {
			case ON -> declare(connection, declarables);
			case VERIFY -> verify(connection, declarables, true);
			case OFF -> {
				// the operators' topology
			}
		}
	}

	/**
	 * Makes sure the retry queues exist: declares them, or (when the client declares
	 * nothing) checks that they exist.
	 */
	void applyRetryQueues(Connection connection, Declarables declarables) {
		switch (this.config.declare()) {
			case ON -> declare(connection, declarables);
			case VERIFY -> verify(connection, declarables, true);
			case OFF -> verify(connection, declarables, false);
		}
	}

	private void declare(Connection connection, Declarables declarables) {
		Management management = connection.management();
		for (Declarable declarable : declarables.getDeclarables()) {
			try {
				if (declarable instanceof Exchange exchange) {
					management.exchange(exchange.getName())
						.type(exchange.getType())
						.autoDelete(exchange.isAutoDelete())
						.arguments(exchange.getArguments())
						.declare();
				}
				else if (declarable instanceof Queue queue) {
					Management.QueueSpecification specification = management.queue(queue.getName())
						.type(queueType(queue))
						.autoDelete(queue.isAutoDelete())
						.exclusive(queue.isExclusive());
					for (Map.Entry<String, Object> argument : arguments(queue).entrySet()) {
						specification.argument(argument.getKey(), argument.getValue());
					}
					specification.declare();
				}
				else if (declarable instanceof Binding binding) {
					Management.BindingSpecification specification = management.binding()
						.sourceExchange(binding.getExchange())
						.destinationQueue(binding.getDestination())
						.key(binding.getRoutingKey());
					if (!binding.getArguments().isEmpty()) {
						specification.arguments(binding.getArguments());
					}
					specification.bind();
				}
			}
			catch (AmqpException ex) {
				throw failure(declarable, ex);
			}
		}
	}

	private void verify(Connection connection, Declarables declarables, boolean equivalent) {
		Management management = connection.management();
		for (Declarable declarable : declarables.getDeclarables()) {
			try {
				if (declarable instanceof Exchange exchange) {
					// no exchange lookup in AMQP 1.0 management: a link to a missing
					// exchange is refused
					try (Publisher probe = connection.publisherBuilder().exchange(exchange.getName()).build()) {
						Objects.requireNonNull(probe);
					}
				}
				else if (declarable instanceof Queue queue) {
					Management.QueueInfo info = management.queueInfo(queue.getName());
					if (equivalent) {
						compare(queue, info);
					}
				}
			}
			catch (AmqpException ex) {
				throw failure(declarable, ex);
			}
		}
	}

	/** Compares what the client would declare with what the broker has. */
	private void compare(Queue queue, Management.QueueInfo info) {
		String setting = Declarations.nameSetting(queue);
		if (info.type() != queueType(queue)) {
			throw mismatch(queue, "type", info.type(), queueType(queue), "queueType");
		}
		if (info.autoDelete() != queue.isAutoDelete()) {
			throw mismatch(queue, "auto_delete", info.autoDelete(), queue.isAutoDelete(), "autoDelete");
		}
		if (info.durable() != queue.isDurable()) {
			throw mismatch(queue, "durable", info.durable(), queue.isDurable(), "durable");
		}
		Map<String, Object> existing = info.arguments();
		Map<String, Object> declared = arguments(queue);
		for (Map.Entry<String, Object> argument : existing.entrySet()) {
			// as declaring over AMQP 0-9-1 would: an argument the broker has and the
			// client does not declare is a difference too
			if (!argument.getKey().equals("x-queue-type") && !declared.containsKey(argument.getKey())) {
				throw mismatch(queue, argument.getKey(), argument.getValue(), "none",
						setting.equals("queueName") ? QueueArguments.settingOf(argument.getKey()) : setting);
			}
		}
		for (Map.Entry<String, Object> argument : declared.entrySet()) {
			Object current = existing.get(argument.getKey());
			if (current == null || !String.valueOf(current).equals(String.valueOf(argument.getValue()))) {
				throw mismatch(queue, argument.getKey(), current, argument.getValue(),
						setting.equals("queueName") ? QueueArguments.settingOf(argument.getKey()) : setting);
			}
		}
	}

	private TopologyMismatchException mismatch(Queue queue, String what, @Nullable Object current, Object declared,
			String setting) {
		return new TopologyMismatchException("Queue '" + queue.getName() + "' exists on the broker with " + what + " "
				+ ((current != null) ? current : "unset") + ", but this client declares it with " + declared
				+ ". Change the '" + setting + "' setting to match, or delete the existing one", setting, null);
	}

	private static Management.QueueType queueType(Queue queue) {
		return QueueType.QUORUM.value().equals(queue.getArguments().get("x-queue-type")) ? Management.QueueType.QUORUM
				: Management.QueueType.CLASSIC;
	}

	/** The queue's arguments but its type, which management sets on its own. */
	private static Map<String, Object> arguments(Queue queue) {
		Map<String, Object> arguments = new LinkedHashMap<>(queue.getArguments());
		arguments.remove("x-queue-type");
		return arguments;
	}

	private RuntimeException failure(Declarable declarable, AmqpException ex) {
		String what = Declarations.describe(declarable);
		String reason = Amqp10Connection.rootMessage(ex);
		if (ex instanceof AmqpException.AmqpConnectionException
				|| ex instanceof AmqpException.AmqpResourceClosedException) {
			return new RabbitConnectionException(
					"Cannot reach RabbitMQ at " + this.config.maskedAddresses() + " to declare " + what + ": " + reason,
					this.config.maskedAddresses(), ex);
		}
		if (ex instanceof AmqpException.AmqpEntityDoesNotExistException) {
			return new TopologyMismatchException(Declarations.capitalize(what)
					+ " does not exist on the broker, and with declare="
					+ ((this.config.declare() == DeclareMode.VERIFY) ? "verify" : "false")
					+ " the client only checks its topology: create it, or let the client declare it (declare=true). "
					+ "(Broker: " + reason + ")", Declarations.nameSetting(declarable), ex);
		}
		Matcher matcher = INEQUIVALENT_ARG.matcher(reason);
		if (matcher.find()) {
			String argument = matcher.group(1);
			String setting = switch (argument) {
				case "type" -> (declarable instanceof Exchange) ? "exchangeType" : "queueType";
				case "durable" -> "durable";
				case "auto_delete" -> "autoDelete";
				default -> (argument.startsWith("x-") && Declarations.nameSetting(declarable).equals("queueName"))
						? QueueArguments.settingOf(argument) : Declarations.nameSetting(declarable);
			};
			return new TopologyMismatchException(
					Declarations.capitalize(what) + " already exists on the broker with other " + argument
							+ " than this client declares. Change the '" + setting
							+ "' setting to match, or delete the existing one. (Broker: " + reason + ")",
					setting, ex);
		}
		return new TopologyMismatchException("The broker refused to declare " + what + ": " + reason,
				Declarations.nameSetting(declarable), ex);
	}

}
