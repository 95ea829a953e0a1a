package io.zephcast.sample;

import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Reads the orders' dead letters ({@code zephcast.rabbit.streams.dead-letters}, on the
 * queue {@code <orders queue>.dlq} the orders stream declares): what an operator would
 * look at. Each dead letter carries why it is there in its headers.
 */
@Component
@Qualifier("dead-letters")
public class DeadLetterHandler implements RabbitMessageHandler {

	private final OrderStats stats;

	public DeadLetterHandler(OrderStats stats) {
		this.stats = stats;
	}

	@Override
	public void handle(RabbitMessage message) {
		if (this.stats.skipsLeftover(message)) {
			// as for orders: left by an earlier run, taken off the queue, not counted
			return;
		}
		OrderEvent order = message.bodyAs(OrderEvent.class);
		System.out.printf("%-11s %-15s %-7s %s after %s attempts: %s: %s%n", "dead-letter",
				message.header(MessageHeaders.ORIGINAL_ROUTING_KEY), "parked", order.orderId(),
				message.header(MessageHeaders.ATTEMPTS), message.header(MessageHeaders.EXCEPTION),
				message.header(MessageHeaders.EXCEPTION_MESSAGE));
		this.stats.deadLettered(order.orderId());
	}

}
