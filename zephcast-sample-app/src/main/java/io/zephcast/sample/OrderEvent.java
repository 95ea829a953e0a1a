package io.zephcast.sample;

import java.math.BigDecimal;
import java.util.List;

/**
 * An order event: what the sample publishes as JSON and its handler reads back with
 * {@code message.bodyAs(OrderEvent.class)}.
 *
 * @param orderId the order, e.g. {@code order-0003}
 * @param type what happened to it: {@code created} or {@code updated}
 * @param customer who ordered
 * @param total the order total
 */
public record OrderEvent(String orderId, String type, String customer, BigDecimal total) {

	private static final List<String> CUSTOMERS = List.of("alice", "bob", "carol", "dave", "erin");

	/**
	 * The routing key the event is published with; the queue's binding {@code orders.#}
	 * matches them all.
	 * @return {@code orders.} followed by the type
	 */
	public String routingKey() {
		return "orders." + this.type;
	}

	/**
	 * The n-th event of a batch: the same for every run, so that the order that fails
	 * once can be named in the configuration.
	 * @param number the event number, from 1
	 * @return the event
	 */
	static OrderEvent number(int number) {
		// every fourth event an update: not a multiple of the group's size, so no
		// consumer sees only one kind
		String type = (number % 4 == 0) ? "updated" : "created";
		BigDecimal total = BigDecimal.valueOf(990 + (number * 1237L) % 9000, 2);
		return new OrderEvent(orderId(number), type, CUSTOMERS.get(number % CUSTOMERS.size()), total);
	}

	/**
	 * Whether an order id is one of a batch's.
	 * @param orderId the order id, possibly empty
	 * @param events the batch size
	 * @return whether the batch publishes it
	 */
	static boolean isInBatch(String orderId, int events) {
		for (int number = 1; number <= events; number++) {
			if (orderId(number).equals(orderId)) {
				return true;
			}
		}
		return false;
	}

	static String orderId(int number) {
		return String.format("order-%04d", number);
	}

}
