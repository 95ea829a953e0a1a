package io.zephcast.sample;

import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.stereotype.Component;

/**
 * The consumer group's work. Declaring this bean is all it takes: the starter subscribes
 * it to the auto-configured client, and with
 * {@code zephcast.rabbit.consumer.concurrency: 3} three consumers run it side by side.
 * Returning acks the message; throwing nacks it and the broker delivers it again, flagged
 * redelivered.
 */
@Component
public class OrderHandler implements RabbitMessageHandler {

	private final OrderStats stats;

	private final SampleProperties properties;

	public OrderHandler(OrderStats stats, SampleProperties properties) {
		this.stats = stats;
		this.properties = properties;
	}

	@Override
	public void handle(RabbitMessage message) throws InterruptedException {
		String consumer = this.stats.consumerName(message);
		if (!this.stats.isFromThisRun(message)) {
			// left in the durable queue by a run that did not finish, or published by
			// someone else: this run's
			// counts are about its own events, so take it off the queue (returning acks
			// it) and count it apart
			this.stats.leftover();
			print(consumer, message, "acked", describe(message) + " is not from this run: skipped");
			return;
		}
		this.stats.delivered(message);
		OrderEvent order = message.bodyAs(OrderEvent.class);
		if (order.orderId().equals(this.properties.failOnce()) && !message.redelivered()) {
			this.stats.nacked();
			print(consumer, message, "nacked", order.orderId() + " fails on its first delivery (simulated)");
			throw new SimulatedFailure("payment service timed out for " + order.orderId() + " (simulated)");
		}
		Thread.sleep(this.properties.processingTime().toMillis());
		print(consumer, message, "acked", String.format("%s %-6s %6s%s", order.orderId(), order.customer(),
				order.total(), message.redelivered() ? "  redelivered" : ""));
		// counted last: the last event counted lets the runner print the summary
		this.stats.processed(message, order);
	}

	private static String describe(RabbitMessage message) {
		if (message.messageId() != null) {
			return message.messageId();
		}
		String text = message.text().strip();
		return "'" + ((text.length() > 40) ? text.substring(0, 40) + "..." : text) + "'";
	}

	private static void print(String consumer, RabbitMessage message, String outcome, String detail) {
		System.out.printf("%-11s %-15s %-7s %s%n", consumer, message.routingKey(), outcome, detail);
	}

	/**
	 * The failure the sample provokes; the client logs it in one line and requeues the
	 * message.
	 */
	static final class SimulatedFailure extends RuntimeException {

		SimulatedFailure(String message) {
			super(message);
		}

	}

}
