package io.zephcast.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.zephcast.benchmarks.Session.BenchmarkFailure;
import io.zephcast.rabbit.QueueArguments;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.SendFailedException;

/**
 * The flood: one thread sends N messages as fast as {@code send} returns, waiting for
 * none of them, while the used heap after a full GC is sampled every second. With the
 * client's bound on sends in flight ({@code maxInFlight}), the heap stays flat however
 * many are sent, and every send completes: confirmed, or failed with a reason. Run it
 * with a small heap ({@code java -Xmx256m -jar ... --scenarios=flood}) to see the bound
 * hold. The queue keeps only the newest 10,000 messages, so that the flood does not fill
 * the broker.
 */
final class FloodScenario {

	private static final int QUEUE_LENGTH = 10_000;

	private final Options options;

	private final BrokerAdmin admin;

	private final PrintStream progress;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	FloodScenario(Options options, BrokerAdmin admin, PrintStream progress) {
		this.options = options;
		this.admin = admin;
		this.progress = progress;
	}

	/**
	 * Runs the flood.
	 * @return the scenario's table, in Markdown
	 */
	String run() throws Exception {
		int total = this.options.floodMessages;
		String queue = this.admin.declareBounded("flood", QUEUE_LENGTH);
		RabbitConfig config = RabbitConfig.builder()
			.url(this.options.url)
			.queueName(queue)
			.queue(QueueArguments.builder().maxLength((long) QUEUE_LENGTH).build())
			.build();
		byte[] body = Payload.create(0, 0);
		LongAdder confirmed = new LongAdder();
		Map<String, LongAdder> failed = new ConcurrentHashMap<>();
		CountDownLatch done = new CountDownLatch(total);
		AtomicLong maxHeap = new AtomicLong();
		AtomicLong maxInFlight = new AtomicLong();
		long heapBefore = usedHeapAfterGc();
		long start;
		long sent;
		try (RabbitClient client = new RabbitClient(ZephcastSession.STREAM_NAME + "-flood", config).connect()) {
			Thread sampler = new Thread(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					maxHeap.accumulateAndGet(usedHeapAfterGc(), Math::max);
					maxInFlight.accumulateAndGet(client.status().sendsInFlight(), Math::max);
					try {
						Thread.sleep(1_000);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			}, "flood-heap-sampler");
			sampler.setDaemon(true);
			sampler.start();
			start = System.nanoTime();
			for (int i = 0; i < total; i++) {
				client.send(body).whenComplete((ignored, ex) -> {
					if (ex == null) {
						confirmed.increment();
					}
					else {
						failed.computeIfAbsent(reasonOf(ex), (reason) -> new LongAdder()).increment();
					}
					done.countDown();
				});
				if ((i + 1) % 500_000 == 0) {
					this.progress.printf(Locale.ROOT, "[flood] %,d sent, %,d confirmed, heap max %s%n", i + 1,
							confirmed.sum(), BenchmarkMain.mib(maxHeap.get()));
				}
			}
			sent = System.nanoTime() - start;
			if (!done.await(this.options.timeoutSeconds, TimeUnit.SECONDS)) {
				throw new BenchmarkFailure("flood: " + done.getCount() + " of " + total + " sends never completed");
			}
			sampler.interrupt();
			sampler.join();
		}
		finally {
			this.admin.delete(queue);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		long failures = failed.values().stream().mapToLong(LongAdder::sum).sum();
		this.progress.printf(Locale.ROOT, "[flood] %,d confirmed, %,d failed %s in %.1f s%n", confirmed.sum(), failures,
				failed, seconds);
		if (failed.containsKey("other")) {
			throw new BenchmarkFailure("flood: a send failed without a SendFailedException: " + failed);
		}
		return "### flood: " + BenchmarkMain.count(total) + " sends without waiting (max heap "
				+ BenchmarkMain.mib(Runtime.getRuntime().maxMemory()) + ")\n"
				+ "used heap after a full GC, sampled every second; in flight = sends not yet confirmed\n\n"
				+ "| sends | confirmed | failed (reason) | send loop s | all done s | msg/s | heap before | heap max | max in flight |\n"
				+ "|---:|---:|---|---:|---:|---:|---:|---:|---:|\n" + "| " + BenchmarkMain.count(total) + " | "
				+ BenchmarkMain.count(confirmed.sum()) + " | " + (failed.isEmpty() ? "0" : failed.toString()) + " | "
				+ String.format(Locale.ROOT, "%.1f", sent / 1e9) + " | " + String.format(Locale.ROOT, "%.1f", seconds)
				+ " | " + ScenarioResult.rate(total / seconds) + " | " + BenchmarkMain.mib(heapBefore) + " | "
				+ BenchmarkMain.mib(maxHeap.get()) + " | " + BenchmarkMain.count(maxInFlight.get()) + " |\n";
	}

	private static String reasonOf(Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		return (cause instanceof SendFailedException failure) ? failure.reason().tag() : "other";
	}

	private long usedHeapAfterGc() {
		System.gc();
		return this.memory.getHeapMemoryUsage().getUsed();
	}

}
