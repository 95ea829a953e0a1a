package io.zephcast.rabbit.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zephcast.rabbit.DeclareMode;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.rabbit.TopologyMismatchException;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;

/**
 * Turns a refused declaration into an error that says which setting disagrees with the
 * broker, instead of a bare {@code 406 PRECONDITION_FAILED}; and a declaration the broker
 * never answered (the connection lost under it) into a connection error.
 */
final class Declarations {

	private static final Pattern INEQUIVALENT_ARG = Pattern
		.compile("inequivalent arg '([^']+)' for \\w+ '[^']*' in vhost '[^']*': received (.+) but current is (.+)");

	private Declarations() {
	}

	static RuntimeException failure(Declarable declarable, AmqpException ex, RabbitConfig config) {
		if (ex instanceof AmqpConnectException) {
			return new RabbitConnectionException(
					"Cannot connect to RabbitMQ at " + config.maskedAddresses() + ": " + BrokerErrors.rootMessage(ex),
					config.maskedAddresses(), ex);
		}
		String what = describe(declarable);
		String reply = BrokerErrors.brokerReply(ex);
		if (reply == null || BrokerErrors.connectionForced(ex)) {
			// no verdict on the declaration: the connection was lost (reset, cut, timed
			// out) or closed under it, so the topology may be fine; reported as what it
			// is, as over AMQP 1.0 (Amqp10Topology)
			return new RabbitConnectionException("Cannot reach RabbitMQ at " + config.maskedAddresses() + " to declare "
					+ what + ": " + BrokerErrors.rootMessage(ex), config.maskedAddresses(), ex);
		}
		Matcher matcher = INEQUIVALENT_ARG.matcher(reply);
		if (matcher.find()) {
			String argument = matcher.group(1);
			String setting = switch (argument) {
				case "type" -> "exchangeType";
				case "durable" -> "durable";
				case "auto_delete" -> "autoDelete";
				default -> (argument.startsWith("x-") && nameSetting(declarable).equals("queueName"))
						? QueueArguments.settingOf(argument) : nameSetting(declarable);
			};
			return new TopologyMismatchException(
					capitalize(what) + " already exists on the broker with " + argument + " " + matcher.group(3)
							+ ", but this client declares it with " + matcher.group(2) + ". Change the '" + setting
							+ "' setting to match, or delete the existing one. (Broker: " + reply + ")",
					setting, ex);
		}
		if (reply.startsWith("NOT_FOUND")) {
			return new TopologyMismatchException(capitalize(what) + " does not exist on the broker, and with declare="
					+ settingValue(config.declare())
					+ " the client only checks its topology: create it, or let the client declare it (declare=true). "
					+ "(Broker: " + reply + ")", nameSetting(declarable), ex);
		}
		return new TopologyMismatchException("The broker refused to declare " + what + ": " + reply,
				nameSetting(declarable), ex);
	}

	/** The mode as the {@code declare} setting spells it: true, verify or false. */
	private static String settingValue(DeclareMode mode) {
		return switch (mode) {
			case ON -> "true";
			case VERIFY -> "verify";
			case OFF -> "false";
		};
	}

	/** What a declarable is, as the failure messages of both protocols name it. */
	static String describe(Declarable declarable) {
		if (declarable instanceof Exchange exchange) {
			return "exchange '" + exchange.getName() + "' (" + exchange.getType() + ")";
		}
		if (declarable instanceof Queue queue) {
			return "queue '" + queue.getName() + "'";
		}
		if (declarable instanceof Binding binding) {
			return "the binding of queue '" + binding.getDestination() + "' to exchange '" + binding.getExchange()
					+ "' with key '" + binding.getRoutingKey() + "'";
		}
		return String.valueOf(declarable);
	}

	/** The setting that names a declarable, for the failures of both protocols. */
	static String nameSetting(Declarable declarable) {
		if (declarable instanceof Exchange) {
			return "exchangeName";
		}
		if (declarable instanceof Binding) {
			return "routingKey";
		}
		// the queues beside the client's own are there for the retry policy and the dead
		// letters
		String name = ((Queue) declarable).getName();
		if (name.endsWith(RetryQueues.DEAD_LETTER_SUFFIX)) {
			return "deadLetterQueue";
		}
		return name.contains(RetryQueues.WAIT_INFIX) ? "retry" : "queueName";
	}

	static String capitalize(String text) {
		return Character.toUpperCase(text.charAt(0)) + text.substring(1);
	}

}
