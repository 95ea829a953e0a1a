package io.zephcast.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A diagnostic ({@code --thread-cpu}): a trial's client CPU per message split by thread
 * kind (a thread's name without its numbers: the publisher is {@code main}, a
 * connection's reader {@code AMQP Connection ...}, raw's consumer threads
 * {@code pool-#-thread-#}, zephcast's consumer dispatch {@code zephcast-<stream>-#}), so
 * that a contender's CPU can be traced to the thread that spends it. Threads that end
 * during the trial are not counted, nor the garbage collector and the JIT, which are not
 * Java threads.
 */
final class ThreadCpu {

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private final Map<Long, Long> start = new HashMap<>();

	ThreadCpu() {
		for (long id : THREADS.getAllThreadIds()) {
			this.start.put(id, THREADS.getThreadCpuTime(id));
		}
	}

	/**
	 * Microseconds per message by thread kind since this snapshot, the most first; kinds
	 * under 0.05 left out.
	 * @param messages the messages since
	 * @return the text, each kind as {@code "  name=us"}
	 */
	String since(long messages) {
		double perMessage = 1000.0 * Math.max(1, messages);
		Map<String, Double> byKind = new HashMap<>();
		long[] ids = THREADS.getAllThreadIds();
		ThreadInfo[] infos = THREADS.getThreadInfo(ids);
		for (int i = 0; i < ids.length; i++) {
			long now = THREADS.getThreadCpuTime(ids[i]);
			if (infos[i] != null && now > 0) {
				double used = (now - this.start.getOrDefault(ids[i], 0L)) / perMessage;
				byKind.merge(infos[i].getThreadName().replaceAll("[0-9]+", "#"), used, Double::sum);
			}
		}
		StringBuilder text = new StringBuilder();
		byKind.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() >= 0.05)
			.sorted(Map.Entry.<String, Double>comparingByValue().reversed())
			.forEach((entry) -> text.append(String.format(Locale.ROOT, "  %s=%.2f", entry.getKey(), entry.getValue())));
		return text.toString();
	}

}
