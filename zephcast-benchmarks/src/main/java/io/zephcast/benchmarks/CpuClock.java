package io.zephcast.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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

	CpuClock(int brokerPort) {
		this.os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		this.brokerStat = findBroker(brokerPort);
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

	/**
	 * The {@code stat} file of the broker: the {@code beam.smp} that listens on the
	 * broker's port, since other RabbitMQ nodes (a test cluster) may run beside it; the
	 * first {@code beam.smp} if the sockets cannot be read.
	 */
	private static Path findBroker(int port) {
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			List<Path> brokers = processes
				.filter((path) -> path.getFileName().toString().chars().allMatch(Character::isDigit))
				.filter((path) -> {
					try {
						return Files.readString(path.resolve("comm")).trim().equals("beam.smp");
					}
					catch (IOException ex) {
						return false;
					}
				})
				.sorted()
				.toList();
			Set<String> listening = listeningSockets(port);
			return brokers.stream()
				.filter((process) -> ownsSocket(process, listening))
				.findFirst()
				.or(() -> brokers.stream().findFirst())
				.map((path) -> path.resolve("stat"))
				.orElse(null);
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/** The socket inodes listening on the port, from /proc/net/tcp and tcp6. */
	private static Set<String> listeningSockets(int port) {
		Set<String> inodes = new HashSet<>();
		String local = String.format(Locale.ROOT, ":%04X", port);
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			try {
				for (String line : Files.readAllLines(Path.of(table))) {
					String[] fields = line.trim().split("\\s+");
					// local_address state ... inode; 0A is LISTEN
					if (fields.length > 9 && fields[1].endsWith(local) && fields[3].equals("0A")) {
						inodes.add("socket:[" + fields[9] + "]");
					}
				}
			}
			catch (IOException ex) {
				// no such table (no IPv6): the other one may do
			}
		}
		return inodes;
	}

	private static boolean ownsSocket(Path process, Set<String> inodes) {
		if (inodes.isEmpty()) {
			return false;
		}
		try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
			return fds.anyMatch((fd) -> {
				try {
					return inodes.contains(Files.readSymbolicLink(fd).toString());
				}
				catch (IOException ex) {
					return false;
				}
			});
		}
		catch (IOException ex) {
			return false;
		}
	}

}
