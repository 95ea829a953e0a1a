package io.zephcast.sample;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The consumer group's work. Declaring this bean is all it takes: the starter subscribes
 * it to the default stream's client (it has no qualifier), and with
 * {@code zephcast.rabbit.consumer.concurrency: 3} three consumers run it side by side.
 * Returning acks the message; throwing has it retried after a back-off (it waits in the
 * broker, not here) and, after the last attempt, dead-lettered. For each order it
 * processes, it publishes a {@link PaymentEvent} to the second stream, {@code payments},
 * injected with {@code @Qualifier("payments")}.
 */
@Component
public class OrderHandler implements RabbitMessageHandler {

	private final OrderStats stats;

	private final SampleProperties properties;

	private final RabbitClient payments;

	public OrderHandler(OrderStats stats, SampleProperties properties, @Qualifier("payments") RabbitClient payments) {
		this.stats = stats;
		this.properties = properties;
		this.payments = payments;
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
		if (order.orderId().equals(this.properties.poison())) {
			this.stats.failed();
			print(consumer, message, "failed", order.orderId() + " fails on every attempt (simulated poison), attempt "
					+ message.deliveryAttempt());
			throw new SimulatedFailure("cannot price " + order.orderId() + " (simulated poison)");
		}
		if (order.orderId().equals(this.properties.failOnce()) && message.deliveryAttempt() == 1) {
			this.stats.failed();
			print(consumer, message, "failed", order.orderId() + " fails on its first attempt (simulated)");
			throw new SimulatedFailure("payment service timed out for " + order.orderId() + " (simulated)");
		}
		Thread.sleep(this.properties.processingTime().toMillis());
		print(consumer, message, "acked", String.format("%s %-6s %6s%s", order.orderId(), order.customer(),
				order.total(), (message.deliveryAttempt() > 1) ? "  attempt " + message.deliveryAttempt() : ""));
		requestPayment(order);
		// counted last: the last event counted lets the runner print the summary
		this.stats.processed(message, order);
	}

	/**
	 * Publishes the order's payment to the second stream and waits for the broker's
	 * confirm before the order is acked: a crash in between sends the payment again,
	 * never loses it.
	 */
	private void requestPayment(OrderEvent order) throws InterruptedException {
		SendOptions options = SendOptions.messageId(this.stats.runId() + "-" + order.orderId() + "-payment")
			.withHeader(OrderStats.RUN_HEADER, this.stats.runId());
		try {
			this.payments.send(new PaymentEvent(order.orderId(), order.total()), options)
				.get(this.properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
			this.stats.paymentSent();
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("The payment for " + order.orderId() + " was not confirmed", ex);
		}
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
	 * The failure the sample provokes; the client logs it in one line and retries the
	 * message later, or dead-letters it after its last attempt.
	 */
	static final class SimulatedFailure extends RuntimeException {

		SimulatedFailure(String message) {
			super(message);
		}

	}

}
