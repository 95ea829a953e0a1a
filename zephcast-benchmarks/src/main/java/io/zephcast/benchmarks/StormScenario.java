package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.benchmarks.Session.BenchmarkFailure;
import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RetryPolicy;

/**
 * The poison storm: a backlog of healthy messages with one poison message in every 51
 * (1,000 among 50,000 at full size) goes through a zephcast consumer group of 3 whose
 * handler throws on every poison message. The same backlog without the poison is the
 * baseline, in the same run. Healthy throughput must stay at 0.9x the baseline or better
 * (the poison waits out its back-off in the broker, not in a consumer); every poison
 * message must end in the dead-letter queue with its reason after exactly max-attempts
 * deliveries; no healthy message may be lost or processed twice.
 */
final class StormScenario {

	static final RetryPolicy POLICY = RetryPolicy.builder()
		.maxAttempts(3)
		.initialInterval(Duration.ofMillis(200))
		.multiplier(2)
		.build();

	private static final int CONCURRENCY = 3;

	private static final int PREFETCH = 50;

	private final Options options;

	private final BrokerAdmin admin;

	private final PrintStream progress;

	StormScenario(Options options, BrokerAdmin admin, PrintStream progress) {
		this.options = options;
		this.admin = admin;
		this.progress = progress;
	}

	/**
	 * Runs the baseline and the storm in alternation, once per round.
	 * @return the scenario's table
	 */
	String run() throws Exception {
		int healthy = this.options.stormMessages;
		int poison = Math.max(1, healthy / 50);
		if (this.options.warmup > 0) {
			// not counted: the first trial in a JVM runs before the JIT has compiled the
			// path
			trial(0, healthy, poison);
		}
		List<StormRow> rows = new ArrayList<>();
		for (int round = 1; round <= this.options.rounds; round++) {
			// the order alternates, so that neither run always has the warmer broker
			if (round % 2 == 1) {
				rows.add(trial(round, healthy, 0));
				rows.add(trial(round, healthy, poison));
			}
			else {
				rows.add(trial(round, healthy, poison));
				rows.add(trial(round, healthy, 0));
			}
		}
		return render(rows, healthy, poison);
	}

	private StormRow trial(int round, int healthy, int poison) throws Exception {
		String queue = "zc-bench-storm-" + System.nanoTime();
		RabbitConfig config = RabbitConfig.builder()
			.url(this.options.url)
			.queueName(queue)
			.prefetchCount(PREFETCH)
			.concurrency(CONCURRENCY)
			.retry(POLICY)
			.build();
		Set<String> processed = ConcurrentHashMap.newKeySet();
		AtomicInteger duplicates = new AtomicInteger();
		Map<String, AtomicInteger> poisonAttempts = new ConcurrentHashMap<>();
		AtomicLong first = new AtomicLong();
		CountDownLatch allHealthy = new CountDownLatch(healthy);
		long elapsed;
		try (RabbitClient client = new RabbitClient(ZephcastSession.STREAM_NAME, config).connect()) {
			fill(client, healthy, poison);
			client.subscribe((message) -> {
				first.compareAndSet(0, System.nanoTime());
				String text = message.text();
				if (text.startsWith("p-")) {
					poisonAttempts.computeIfAbsent(text, (key) -> new AtomicInteger()).incrementAndGet();
					throw new IllegalStateException("poison " + text);
				}
				if (processed.add(text)) {
					allHealthy.countDown();
				}
				else {
					duplicates.incrementAndGet();
				}
			});
			if (!allHealthy.await(this.options.timeoutSeconds, TimeUnit.SECONDS)) {
				throw new BenchmarkFailure(
						"storm: " + processed.size() + " of " + healthy + " healthy messages processed in time");
			}
			elapsed = System.nanoTime() - first.get();
			String deadLetters = ClientQueues.deadLetterQueue(config);
			int parked = (poison > 0)
					? this.admin.awaitReady(deadLetters, poison, TimeUnit.SECONDS.toMillis(this.options.timeoutSeconds))
					: 0;
			int withReason = (poison > 0) ? checkDeadLetters(deadLetters, poison) : 0;
			long attempts = poisonAttempts.values().stream().mapToInt(AtomicInteger::get).sum();
			long looping = poisonAttempts.values()
				.stream()
				.filter((count) -> count.get() != POLICY.maxAttempts())
				.count();
			StormRow row = new StormRow(round, healthy, poison, healthy / (elapsed / 1e9), processed.size(),
					duplicates.get(), parked, withReason, attempts, looping);
			this.progress.printf(Locale.ROOT, "[storm] round %d, %s: %s healthy msg/s%n", round,
					(poison > 0) ? poison + " poison" : "baseline", ScenarioResult.rate(row.healthyRate()));
			if (row.broken() != null) {
				throw new BenchmarkFailure("storm: " + row.broken());
			}
			return row;
		}
		finally {
			ClientQueues.delete(this.options.url, config, true);
		}
	}

	/** Fills the queue with the healthy messages and, in every 51, a poison one. */
	private void fill(RabbitClient client, int healthy, int poison) throws Exception {
		int every = (poison > 0) ? healthy / poison : Integer.MAX_VALUE;
		List<CompletableFuture<Void>> window = new ArrayList<>();
		int poisoned = 0;
		for (int i = 0; i < healthy; i++) {
			window.add(client.send("h-" + i));
			if (poisoned < poison && i % every == every - 1) {
				window.add(client.send("p-" + poisoned++));
			}
			if (window.size() >= 2_000) {
				CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
				window.clear();
			}
		}
		CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
	}

	/** Reads every dead letter and counts those that carry the reason headers. */
	private int checkDeadLetters(String queue, int expected) throws Exception {
		int withReason = 0;
		try (Connection connection = RawSession.factory(this.options.url).newConnection("zc-bench-storm-check");
				Channel channel = connection.createChannel()) {
			for (int i = 0; i < expected; i++) {
				GetResponse response = channel.basicGet(queue, true);
				if (response == null) {
					break;
				}
				Map<String, Object> headers = response.getProps().getHeaders();
				String body = new String(response.getBody(), StandardCharsets.UTF_8);
				if (headers != null && body.startsWith("p-")
						&& String.valueOf(headers.get(MessageHeaders.EXCEPTION))
							.equals(IllegalStateException.class.getName())
						&& String.valueOf(headers.get(MessageHeaders.EXCEPTION_MESSAGE)).equals("poison " + body)
						&& String.valueOf(headers.get(MessageHeaders.ATTEMPTS))
							.equals(String.valueOf(POLICY.maxAttempts()))
						&& String.valueOf(headers.get(MessageHeaders.DEAD_LETTER_REASON))
							.equals(MessageHeaders.REASON_ATTEMPTS_EXHAUSTED)) {
					withReason++;
				}
			}
		}
		return withReason;
	}

	private String render(List<StormRow> rows, int healthy, int poison) {
		StringBuilder out = new StringBuilder();
		out.append("### poison storm: ")
			.append(BenchmarkMain.count(poison))
			.append(" poison among ")
			.append(BenchmarkMain.count(healthy))
			.append(" healthy messages, zephcast consumer group of ")
			.append(CONCURRENCY)
			.append(", prefetch ")
			.append(PREFETCH)
			.append('\n');
		out.append("backlog filled first; healthy msg/s from the first delivery to the last healthy message; retry ")
			.append(POLICY.maxAttempts())
			.append(" attempts, ")
			.append(POLICY.intervals().stream().map((d) -> d.toMillis() + " ms").toList())
			.append(" apart, then the dead-letter queue\n\n");
		out.append(
				"| round | poison | healthy msg/s | vs baseline | healthy processed | duplicates | poison deliveries "
						+ "| in DLQ | with reason | looping |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		List<Double> ratios = new ArrayList<>();
		for (StormRow row : rows) {
			String ratio = "";
			double baseline = rows.stream()
				.filter((other) -> other.round() == row.round() && other.poison() == 0)
				.mapToDouble(StormRow::healthyRate)
				.findFirst()
				.orElse(0);
			if (row.poison() > 0 && baseline > 0) {
				double value = row.healthyRate() / baseline;
				ratios.add(value);
				ratio = String.format(Locale.ROOT, "%.2fx", value);
			}
			out.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %d | %s | %s | %s | %d |%n", row.round(),
					BenchmarkMain.count(row.poison()), ScenarioResult.rate(row.healthyRate()), ratio,
					BenchmarkMain.count(row.processed()), row.duplicates(), BenchmarkMain.count(row.poisonDeliveries()),
					BenchmarkMain.count(row.parked()), BenchmarkMain.count(row.withReason()), row.looping()));
		}
		if (!ratios.isEmpty()) {
			ratios.sort(Double::compare);
			double median = ratios.get(ratios.size() / 2);
			out.append(String.format(Locale.ROOT,
					"%nhealthy throughput with poison, median of %d round(s): %.2fx the baseline (goal >= 0.90x): %s%n",
					ratios.size(), median, (Math.round(median * 100) >= 90) ? "met" : "NOT met"));
		}
		return out.toString();
	}

	/** One trial of the storm scenario. */
	record StormRow(int round, int healthy, int poison, double healthyRate, int processed, int duplicates, int parked,
			int withReason, long poisonDeliveries, long looping) {

		/**
		 * What went wrong, or {@code null}: a lost, doubled, looping or unexplained
		 * message.
		 */
		String broken() {
			if (this.processed != this.healthy) {
				return (this.healthy - this.processed) + " healthy message(s) lost";
			}
			if (this.duplicates > 0) {
				return this.duplicates + " healthy message(s) processed twice";
			}
			if (this.parked != this.poison || this.withReason != this.poison) {
				return this.parked + " poison message(s) in the dead-letter queue, " + this.withReason
						+ " with their reason; expected " + this.poison;
			}
			if (this.looping > 0 || this.poisonDeliveries != (long) this.poison * POLICY.maxAttempts()) {
				return this.poisonDeliveries + " poison deliveries, " + this.looping
						+ " message(s) not delivered exactly max-attempts times";
			}
			return null;
		}

	}

}
