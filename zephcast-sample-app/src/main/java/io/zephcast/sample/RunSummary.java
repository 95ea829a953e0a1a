package io.zephcast.sample;

import java.util.List;

/**
 * The outcome of a run, as printed at the end.
 *
 * @param runId the run id
 * @param expected how many events the batch has
 * @param sent how many were published
 * @param confirmed how many the broker confirmed
 * @param perConsumer how many each consumer of the group processed
 * @param failed how many deliveries the handler failed (each retried later, or
 * dead-lettered after its last attempt)
 * @param retried how many deliveries were retries, after a back-off
 * @param acked how many deliveries were acked after processing
 * @param distinctProcessed how many different events were processed
 * @param duplicates how many times an event was processed again
 * @param leftovers how many messages not from this run (left by an earlier run, or
 * published by someone else) were found and acked without being processed
 * @param paymentsSent how many payment events the order handler published to the payments
 * stream (and the broker confirmed)
 * @param paymentsProcessed how many different orders' payments the payments stream's
 * handler processed
 * @param expectedDeadLetters how many events (the poison order) must end in the dead
 * letters
 * @param deadLettered how many different events arrived in the dead letters
 */
public record RunSummary(String runId, int expected, int sent, int confirmed, List<ConsumerCount> perConsumer,
		int failed, int retried, int acked, int distinctProcessed, int duplicates, int leftovers, int paymentsSent,
		int paymentsProcessed, int expectedDeadLetters, int deadLettered) {

	/**
	 * How many events the consumers processed, all consumers together.
	 * @return the sum over the consumers
	 */
	public int processed() {
		return this.perConsumer.stream().mapToInt(ConsumerCount::processed).sum();
	}

	/**
	 * Whether every event was confirmed and processed exactly once, but the poison order,
	 * which is in the dead letters.
	 * @return whether the run is complete
	 */
	public boolean isComplete() {
		int processable = this.expected - this.expectedDeadLetters;
		return this.sent == this.expected && this.confirmed == this.expected && this.distinctProcessed == processable
				&& this.duplicates == 0 && this.paymentsProcessed == processable
				&& this.deadLettered == this.expectedDeadLetters;
	}

	/**
	 * The summary as a small table.
	 * @return the lines, without a trailing line break
	 */
	public String toTable() {
		StringBuilder table = new StringBuilder();
		table.append("Summary of run ").append(this.runId).append(isComplete() ? "" : " (INCOMPLETE)").append('\n');
		row(table, "sent", this.sent, "");
		row(table, "confirmed", this.confirmed, "by the broker");
		row(table, "processed", processed(), "by a consumer group of " + this.perConsumer.size());
		for (ConsumerCount consumer : this.perConsumer) {
			row(table, "  " + consumer.name(), consumer.processed(), consumer.consumerTag());
		}
		row(table, "failed", this.failed, "handler threw: retried after a back-off, or dead-lettered");
		row(table, "retried", this.retried, "deliveries after a back-off");
		row(table, "dead-lettered", this.deadLettered, "used up their attempts: in the dead-letter queue");
		row(table, "acked", this.acked, "");
		row(table, "payments", this.paymentsSent, "published to the payments stream, confirmed");
		row(table, "paid", this.paymentsProcessed, "processed by the payments stream's handler");
		int processable = this.expected - this.expectedDeadLetters;
		if (processable != this.distinctProcessed) {
			row(table, "missing", processable - this.distinctProcessed, "never processed");
		}
		if (this.duplicates > 0) {
			row(table, "duplicates", this.duplicates, "processed more than once");
		}
		if (this.leftovers > 0) {
			row(table, "leftovers", this.leftovers, "not from this run: acked, not counted");
		}
		return table.toString().stripTrailing();
	}

	private static void row(StringBuilder table, String label, int count, String note) {
		table.append(String.format("  %-13s %5d  %s", label, count, note).stripTrailing()).append('\n');
	}

	/**
	 * How many events one consumer of the group processed.
	 *
	 * @param name the short name, {@code consumer-1} ...
	 * @param consumerTag the broker's consumer tag
	 * @param processed how many events it processed
	 */
	public record ConsumerCount(String name, String consumerTag, int processed) {

	}

}
