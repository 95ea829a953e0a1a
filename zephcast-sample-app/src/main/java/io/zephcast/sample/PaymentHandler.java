package io.zephcast.sample;

import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The second stream's work: {@code @Qualifier("payments")} binds this handler to
 * {@code zephcast.rabbit.streams.payments} (an unqualified handler, like
 * {@link OrderHandler}, runs on the default stream).
 */
@Component
@Qualifier("payments")
public class PaymentHandler implements RabbitMessageHandler {

	private final OrderStats stats;

	public PaymentHandler(OrderStats stats) {
		this.stats = stats;
	}

	@Override
	public void handle(RabbitMessage message) {
		if (this.stats.skipsLeftover(message)) {
			// as for orders: left by an earlier run, taken off the queue, not counted
			return;
		}
		PaymentEvent payment = message.bodyAs(PaymentEvent.class);
		System.out.printf("%-11s %-15s %-7s %s %6s%n", "payments", message.routingKey(), "acked", payment.orderId(),
				payment.amount());
		this.stats.paymentProcessed(payment);
	}

}
