package io.zephcast.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendOptions;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * The sample's main job: publish the batch with the injected client, wait until the
 * consumer group has processed every event, and print the summary. Runs once the context
 * has started, so the client is connected and the handler subscribed.
 */
@Component
public class OrderBatchRunner implements ApplicationRunner, ExitCodeGenerator {

	private final RabbitClient client;

	private final RabbitClient payments;

	private final OrderStats stats;

	private final SampleProperties properties;

	private volatile int exitCode;

	public OrderBatchRunner(RabbitClient client, @Qualifier("payments") RabbitClient payments, OrderStats stats,
			SampleProperties properties) {
		this.client = client;
		this.payments = payments;
		this.stats = stats;
		this.properties = properties;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		RabbitConfig orders = this.client.config();
		System.out.printf(
				"Run %s: %d order events -> exchange '%s' (%s) -> queue '%s' (bound with '%s'), "
						+ "consumer group of %d%n",
				this.stats.runId(), this.properties.events(), orders.exchangeName(), orders.exchangeType().value(),
				orders.queueName(), String.join("', '", orders.bindingKeys()), orders.concurrency());
		System.out.printf("Each processed order -> a payment on stream 'payments' -> queue '%s'%n",
				this.payments.config().queueName());
		boolean confirmed = publish();
		// an event that was never confirmed may never come: waiting for it would only
		// stall
		boolean processed = confirmed && this.stats.awaitAllProcessed(this.properties.timeout())
				&& this.stats.awaitAllPaid(this.properties.timeout())
				&& this.stats.awaitDeadLetters(this.properties.timeout());
		RunSummary summary = this.stats.summary();
		System.out.println();
		System.out.println(summary.toTable());
		if (!confirmed || !processed || !summary.isComplete()) {
			System.out.println("Not every event was confirmed and processed within "
					+ DurationStyle.SIMPLE.print(this.properties.timeout()) + " (sample.timeout).");
			this.exitCode = 1;
		}
		if (this.properties.keepRunning()) {
			System.out.printf("%nStill consuming from '%s' (keep-running); press Ctrl+C to stop.%n",
					orders.queueName());
		}
	}

	/**
	 * Publishes the batch: every send returns at once, and its future completes when the
	 * broker confirms the event, so all of them are in flight together.
	 * @return whether every event was confirmed in time
	 */
	private boolean publish() throws InterruptedException {
		List<CompletableFuture<Void>> confirms = new ArrayList<>();
		for (int number = 1; number <= this.properties.events(); number++) {
			OrderEvent order = OrderEvent.number(number);
			SendOptions options = SendOptions.routingKey(order.routingKey())
				.withMessageId(this.stats.runId() + "-" + order.orderId())
				.withHeader(OrderStats.RUN_HEADER, this.stats.runId());
			confirms.add(this.client.send(order, options).thenRun(this.stats::confirmed));
			this.stats.sent();
		}
		try {
			CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new))
				.get(this.properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
			System.out.printf("Sent %d events, the broker confirmed %d%n", confirms.size(), confirms.size());
			return true;
		}
		catch (ExecutionException | TimeoutException ex) {
			Throwable reason = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			System.out.println("Not every send was confirmed: " + reason);
			return false;
		}
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
