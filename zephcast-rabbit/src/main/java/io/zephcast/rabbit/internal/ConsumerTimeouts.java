package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.ShutdownSignalException;
import io.zephcast.rabbit.RabbitClientStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Recognises the broker closing a consumer's channel because a delivery stayed unacked
 * longer than the queue's consumer timeout, says so at WARN (the broker requeues the
 * message, so without a word it would only be seen as a redelivery) and remembers the
 * last one for {@link RabbitClientStatus}; the client's metrics count it. Only runs when
 * a consumer's channel closed, never per message.
 */
final class ConsumerTimeouts {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/** {@code PRECONDITION_FAILED}, the code the broker closes the channel with. */
	private static final int PRECONDITION_FAILED = 406;

	/**
	 * The broker's words:
	 * {@code PRECONDITION_FAILED - delivery acknowledgement on channel
	 * 1 timed out. Timeout value used: 1800000 ms. ...}.
	 */
	private static final Pattern TIMED_OUT = Pattern.compile("delivery acknowledgement on channel \\d+ timed out");

	private static final Pattern TIMEOUT_USED = Pattern.compile("Timeout value used: (\\d+) ms");

	private volatile RabbitClientStatus.@Nullable ConsumerTimeout last;

	/** Told of each timeout: the client's metrics. */
	private volatile Runnable listener = () -> {
	};

	/**
	 * What to tell of each consumer timeout.
	 * @param listener runs once per timeout, on the thread that saw it
	 */
	void onTimeout(Runnable listener) {
		this.listener = listener;
	}

	/**
	 * The last consumer timeout.
	 * @return it, or {@code null} if there was none
	 */
	RabbitClientStatus.@Nullable ConsumerTimeout last() {
		return this.last;
	}

	/**
	 * Checks why a consumer's channel closed; if for a consumer timeout, logs it, counts
	 * it and remembers it.
	 * @param queue the consumer's queue(s)
	 * @param signal why the channel closed, or {@code null} if unknown
	 * @return the timeout, or {@code null} if the channel closed for another reason
	 */
	RabbitClientStatus.@Nullable ConsumerTimeout check(String queue, @Nullable ShutdownSignalException signal) {
		String text = brokerText(signal);
		if (text == null) {
			return null;
		}
		Matcher used = TIMEOUT_USED.matcher(text);
		Duration timeout = used.find() ? Duration.ofMillis(Long.parseLong(used.group(1))) : null;
		if (logger.isWarnEnabled()) {
			logger.warn("Consumer of queue '" + queue + "' held a message unacked longer than the broker's consumer "
					+ "timeout (" + ((timeout != null) ? timeout.toMillis() + " ms" : "unknown") + "): the broker "
					+ "closed its channel and will redeliver the message(s) it held, to this or another consumer, "
					+ "while the handler may still be running. A handler must finish within the timeout, or the "
					+ "work should be split; the timeout is the broker's consumer_timeout setting, or the queue's "
					+ "x-consumer-timeout argument (consumer-timeout policy). Broker said: " + text);
		}
		try {
			this.listener.run();
		}
		catch (RuntimeException ex) {
			// metrics that fail must not stop the container's monitor, which restarts the
			// consumer
			logger.debug("Could not count the consumer timeout", ex);
		}
		// last, so that whoever sees it in the status finds it logged and counted too
		RabbitClientStatus.ConsumerTimeout timedOut = new RabbitClientStatus.ConsumerTimeout(Instant.now(), queue,
				timeout, text);
		this.last = timedOut;
		return timedOut;
	}

	/**
	 * The broker's reply text if it closed the channel for a consumer timeout.
	 */
	private static @Nullable String brokerText(@Nullable ShutdownSignalException signal) {
		if (signal == null || signal.isHardError() || signal.isInitiatedByApplication()
				|| !(signal.getReason() instanceof AMQP.Channel.Close close)
				|| close.getReplyCode() != PRECONDITION_FAILED) {
			return null;
		}
		String text = close.getReplyText();
		return (text != null && TIMED_OUT.matcher(text).find()) ? text : null;
	}

}
