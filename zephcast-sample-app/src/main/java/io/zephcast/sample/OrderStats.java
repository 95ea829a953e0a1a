package io.zephcast.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.zephcast.rabbit.RabbitMessage;

import org.springframework.stereotype.Component;

/**
 * What happened to this run's events, counted from the publisher's and the consumers'
 * side. Each run has its own id, carried in a header of every event it sends, so that
 * events left in the durable queue by an earlier run (one killed half-way, say) are told
 * apart instead of miscounted.
 */
@Component
public class OrderStats {

	/** The header that carries the run id. */
	static final String RUN_HEADER = "zephcast-sample-run";

	private final String runId = UUID.randomUUID().toString().substring(0, 8);

	private final int expected;

	private final CountDownLatch allProcessed;

	private final AtomicInteger sent = new AtomicInteger();

	private final AtomicInteger confirmed = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private final AtomicInteger retried = new AtomicInteger();

	private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();

	private final int expectedDeadLetters;

	private final CountDownLatch allDeadLettered;

	private final AtomicInteger acked = new AtomicInteger();

	private final AtomicInteger leftovers = new AtomicInteger();

	private final AtomicInteger paymentsSent = new AtomicInteger();

	private final Map<String, AtomicInteger> paymentsByOrder = new ConcurrentHashMap<>();

	private final CountDownLatch allPaid;

	private final AtomicInteger consumerNumbers = new AtomicInteger();

	private final Map<String, Consumer> consumers = new ConcurrentHashMap<>();

	private final Map<String, AtomicInteger> processedByOrder = new ConcurrentHashMap<>();

	public OrderStats(SampleProperties properties) {
		this.expected = properties.events();
		// the poison order, when it is part of the batch, ends in the dead letters
		this.expectedDeadLetters = OrderEvent.isInBatch(properties.poison(), properties.events()) ? 1 : 0;
		this.allProcessed = new CountDownLatch(properties.events() - this.expectedDeadLetters);
		this.allPaid = new CountDownLatch(properties.events() - this.expectedDeadLetters);
		this.allDeadLettered = new CountDownLatch(this.expectedDeadLetters);
	}

	public String runId() {
		return this.runId;
	}

	boolean isFromThisRun(RabbitMessage message) {
		return this.runId.equals(String.valueOf(message.header(RUN_HEADER)));
	}

	/**
	 * A short name for the consumer of the group that got the message, numbered in the
	 * order the consumers show up: consumer tags are unique but unreadable.
	 * @param message the message
	 * @return {@code consumer-1}, {@code consumer-2}, ...
	 */
	String consumerName(RabbitMessage message) {
		return consumer(message).name();
	}

	void sent() {
		this.sent.incrementAndGet();
	}

	void confirmed() {
		this.confirmed.incrementAndGet();
	}

	void delivered(RabbitMessage message) {
		if (message.deliveryAttempt() > 1) {
			this.retried.incrementAndGet();
		}
	}

	void failed() {
		this.failed.incrementAndGet();
	}

	void deadLettered(String orderId) {
		if (this.deadLettered.add(orderId)) {
			this.allDeadLettered.countDown();
		}
	}

	/**
	 * Waits until the poison order has arrived in the dead letters.
	 * @param timeout how long to wait at most
	 * @return whether it arrived in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitDeadLetters(Duration timeout) throws InterruptedException {
		return this.allDeadLettered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/**
	 * Counts an event its handler finished with; returning from the handler acks it.
	 * @param message the message
	 * @param order the event
	 */
	void processed(RabbitMessage message, OrderEvent order) {
		consumer(message).processed().incrementAndGet();
		this.acked.incrementAndGet();
		if (this.processedByOrder.computeIfAbsent(order.orderId(), (id) -> new AtomicInteger())
			.incrementAndGet() == 1) {
			this.allProcessed.countDown();
		}
	}

	void paymentSent() {
		this.paymentsSent.incrementAndGet();
	}

	void paymentProcessed(PaymentEvent payment) {
		if (this.paymentsByOrder.computeIfAbsent(payment.orderId(), (id) -> new AtomicInteger())
			.incrementAndGet() == 1) {
			this.allPaid.countDown();
		}
	}

	/**
	 * Waits until the payment of every event has been processed on the second stream.
	 * @param timeout how long to wait at most
	 * @return whether all were processed in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitAllPaid(Duration timeout) throws InterruptedException {
		return this.allPaid.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	void leftover() {
		this.leftovers.incrementAndGet();
	}

	/**
	 * Counts a message that is not from this run as a leftover.
	 * @param message the message
	 * @return whether it was a leftover (the handler then only returns, which acks it)
	 */
	boolean skipsLeftover(RabbitMessage message) {
		if (isFromThisRun(message)) {
			return false;
		}
		leftover();
		return true;
	}

	/**
	 * Waits until every event of the batch has been processed.
	 * @param timeout how long to wait at most
	 * @return whether all were processed in time
	 * @throws InterruptedException if interrupted while waiting
	 */
	boolean awaitAllProcessed(Duration timeout) throws InterruptedException {
		return this.allProcessed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	public RunSummary summary() {
		List<RunSummary.ConsumerCount> perConsumer = new ArrayList<>();
		this.consumers.values()
			.stream()
			.sorted(Comparator.comparingInt(Consumer::number))
			.forEach((consumer) -> perConsumer
				.add(new RunSummary.ConsumerCount(consumer.name(), consumer.tag(), consumer.processed().get())));
		int duplicates = this.processedByOrder.values().stream().mapToInt((count) -> count.get() - 1).sum();
		return new RunSummary(this.runId, this.expected, this.sent.get(), this.confirmed.get(), perConsumer,
				this.failed.get(), this.retried.get(), this.acked.get(), this.processedByOrder.size(), duplicates,
				this.leftovers.get(), this.paymentsSent.get(), this.paymentsByOrder.size(), this.expectedDeadLetters,
				this.deadLettered.size());
	}

	private Consumer consumer(RabbitMessage message) {
		String tag = String.valueOf(message.consumerTag());
		return this.consumers.computeIfAbsent(tag,
				(key) -> new Consumer(this.consumerNumbers.incrementAndGet(), key, new AtomicInteger()));
	}

	private record Consumer(int number, String tag, AtomicInteger processed) {

		String name() {
			return "consumer-" + this.number;
		}

	}

}
