package io.zephcast.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A diagnostic ({@code -Dzephcast.bench.threads=true}): the client's CPU split by thread
 * kind (a thread's name without its numbers), so that a contender's CPU per message can
 * be traced to the thread that spends it. Threads that end during the trial are not
 * counted.
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
		Map<String, Long> byKind = new TreeMap<>();
		long[] ids = THREADS.getAllThreadIds();
		ThreadInfo[] infos = THREADS.getThreadInfo(ids);
		for (int i = 0; i < ids.length; i++) {
			long now = THREADS.getThreadCpuTime(ids[i]);
			if (infos[i] == null || now < 0) {
				continue;
			}
			long used = now - this.start.getOrDefault(ids[i], 0L);
			if (used > 0) {
				byKind.merge(infos[i].getThreadName().replaceAll("[0-9]+", "#"), used, Long::sum);
			}
		}
		StringBuilder text = new StringBuilder();
		byKind.entrySet()
			.stream()
			.sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
			.filter((entry) -> entry.getValue() / 1000.0 / Math.max(1, messages) >= 0.05)
			.forEach((entry) -> text.append(String.format(Locale.ROOT, "  %s=%.2f", entry.getKey(),
					entry.getValue() / 1000.0 / Math.max(1, messages))));
		return text.toString();
	}

}
