package io.zephcast.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM and, when the broker runs on this machine and its process is
 * readable, by the broker ({@code beam.smp}). On a machine with few cores the client and
 * the broker compete for the same CPU, so every microsecond the client spends per message
 * is taken from the broker: CPU per message explains most differences in msg/s.
 */
final class CpuClock {

	private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

	private final com.sun.management.OperatingSystemMXBean os;

	private final Path brokerStat;

	CpuClock() {
		this.os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		this.brokerStat = findBroker();
	}

	/** A reading: [client ns, broker ns or -1]. */
	long[] read() {
		return new long[] { this.os.getProcessCpuTime(), brokerNanos() };
	}

	/** Microseconds per message between two readings: [client, broker or NaN]. */
	static double[] perMessage(long[] start, long[] end, long messages) {
		double client = (end[0] - start[0]) / 1000.0 / Math.max(1, messages);
		double broker = (start[1] < 0 || end[1] < 0) ? Double.NaN
				: (end[1] - start[1]) / 1000.0 / Math.max(1, messages);
		return new double[] { client, broker };
	}

	boolean seesBroker() {
		return this.brokerStat != null;
	}

	private long brokerNanos() {
		if (this.brokerStat == null) {
			return -1;
		}
		try {
			String stat = Files.readString(this.brokerStat);
			// fields after the command name, which is in parentheses and may contain
			// spaces
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime
																					// +
																					// stime
			return ticks * TICK_NANOS;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private static Path findBroker() {
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			return processes.filter((path) -> path.getFileName().toString().chars().allMatch(Character::isDigit))
				.filter((path) -> {
					try {
						return Files.readString(path.resolve("comm")).trim().equals("beam.smp");
					}
					catch (IOException ex) {
						return false;
					}
				})
				.map((path) -> path.resolve("stat"))
				.findFirst()
				.orElse(null);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}
