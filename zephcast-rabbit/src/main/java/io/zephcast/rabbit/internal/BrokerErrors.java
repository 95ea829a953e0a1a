package io.zephcast.rabbit.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;

/**
 * Reads what the broker said out of the exceptions Spring AMQP and the Java client wrap
 * it in.
 */
final class BrokerErrors {

	private BrokerErrors() {
	}

	static @Nullable String brokerReply(Throwable ex) {
		Method reason = closeReason(ex);
		if (reason instanceof AMQP.Channel.Close close) {
			return close.getReplyText();
		}
		if (reason instanceof AMQP.Connection.Close close) {
			return close.getReplyText();
		}
		return null;
	}

	/**
	 * Whether the broker closed the connection for a reason of its own (an operator, a
	 * node stopping): {@code 320 CONNECTION_FORCED}, no answer to what the client asked.
	 * @param ex the exception
	 * @return whether forced
	 */
	static boolean connectionForced(Throwable ex) {
		return closeReason(ex) instanceof AMQP.Connection.Close close && close.getReplyCode() == AMQP.CONNECTION_FORCED;
	}

	/** The close method the broker sent, from the first shutdown signal in the chain. */
	private static @Nullable Method closeReason(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ShutdownSignalException signal) {
				Method reason = signal.getReason();
				if (reason instanceof AMQP.Channel.Close || reason instanceof AMQP.Connection.Close) {
					return reason;
				}
			}
		}
		return null;
	}

	/**
	 * The most specific message in the cause chain, e.g. "Connection refused".
	 * @param ex the exception
	 * @return the message
	 */
	static String rootMessage(Throwable ex) {
		String reply = brokerReply(ex);
		if (reply != null) {
			return reply;
		}
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		String message = (cause.getMessage() != null) ? cause.getMessage() : ex.getMessage();
		return (message != null) ? message : cause.getClass().getSimpleName();
	}

}
