package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.rabbitmq.client.AMQP;
import io.zephcast.rabbit.BrokerBlockedException;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.UnroutableMessageException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;

/**
 * {@link FailedMessageFlow} over AMQP 0-9-1: a copy is published with publisher confirms
 * through the client's {@link Publisher}, and the original is acked once the broker has
 * confirmed it.
 * <p>
 * Attempts are counted in Spring AMQP's {@code retry-count} header
 * ({@link MessageProperties#getRetryCount()}) on the copies, plus the broker's
 * {@code x-delivery-count} on quorum queues; never from {@code x-death}, whose counting
 * changed in RabbitMQ 3.13 and 4.0.
 */
final class FailedMessages extends FailedMessageFlow {

	private static final DefaultMessagePropertiesConverter CONVERTER = new DefaultMessagePropertiesConverter();

	private final Publisher publisher;

	FailedMessages(RabbitTopology topology, RabbitConfig config, Publisher publisher, ParkingFailures parking) {
		// the original is settled on the thread that completes the copy's confirm: an
		// AMQP
		// 0-9-1 ack waits for no answer from the broker
		super(topology, config.retry(), parking, Runnable::run);
		this.publisher = publisher;
	}

	@Override
	CompletableFuture<?> publishCopy(RabbitMessage message, CopyHeaders headers, RetryQueues.Destination destination,
			@Nullable Duration ttl) {
		PayloadCodec.Outgoing copy = copy(message, headers);
		if (ttl != null) {
			copy.properties().expiration(Long.toString(ttl.toMillis()));
		}
		return this.publisher.republish(destination.exchange(), destination.routingKey(), copy);
	}

	@Override
	String describe(RetryQueues.Destination destination, String what) {
		return what + " to " + destination;
	}

	@Override
	@Nullable String fix(RetryQueues.Destination destination, Throwable failure) {
		boolean deadLetterExchange = !destination.exchange().isEmpty();
		String text = String.valueOf(failure.getMessage());
		if (failure instanceof UnroutableMessageException || text.contains("NOT_FOUND")) {
			if (deadLetterExchange) {
				return "bind a queue to the dead-letter exchange for that routing key (and create the exchange if "
						+ "it is missing), or correct queue.deadLetterExchange and queue.deadLetterRoutingKey "
						+ "(Spring Boot: zephcast.rabbit.queue.dead-letter-exchange, "
						+ "zephcast.rabbit.queue.dead-letter-routing-key)";
			}
			return "queue '" + destination.routingKey()
					+ "' is missing: the client declares it when it starts consuming; was it deleted?";
		}
		if (failure instanceof BrokerBlockedException) {
			return "the broker's memory or disk alarm; the copies are stored again once it clears";
		}
		if (failure instanceof SendFailedException sendFailure
				&& sendFailure.reason() == SendFailedException.Reason.NACKED) {
			return "the broker refused the copy: is the target queue full (queue overflow reject-publish) or "
					+ "unavailable?";
		}
		return null;
	}

	/**
	 * A copy of the message, with its body, properties and headers, minus what the broker
	 * adds on delivery and dead-lettering, plus what it says of its failures.
	 */
	private static PayloadCodec.Outgoing copy(RabbitMessage message, CopyHeaders copyHeaders) {
		MessageProperties received = ReceivedMessage.propertiesOf(message);
		AMQP.BasicProperties properties = CONVERTER.fromMessageProperties(received, "UTF-8");
		Map<String, Object> headers = new HashMap<>(
				(properties.getHeaders() != null) ? properties.getHeaders() : Map.of());
		headers.keySet()
			.removeIf((name) -> name.equals("x-death") || name.startsWith("x-first-death-")
					|| name.startsWith("x-last-death-") || name.equals("x-delivery-count")
					|| name.equals(PublishLane.TAG_HEADER));
		copyHeaders.addTo(headers, message);
		// inbound properties keep the delivery mode apart; a copy is as persistent as its
		// original
		AMQP.BasicProperties.Builder builder = properties.builder()
			.deliveryMode((received.getReceivedDeliveryMode() == MessageDeliveryMode.NON_PERSISTENT) ? 1 : 2)
			.expiration(null)
			.headers(headers);
		return new PayloadCodec.Outgoing(builder, headers, message.messageId(), message.body());
	}

}
