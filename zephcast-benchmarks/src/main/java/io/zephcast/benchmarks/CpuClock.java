package io.zephcast.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM and, when the broker runs on this machine and its process is
 * readable, by the broker ({@code beam.smp}). On a machine with few cores the client and
 * the broker compete for the same CPU, so every microsecond the client spends per message
 * is taken from the broker: CPU per message explains most differences in msg/s.
 * <p>
 * The client's time is split in two: the JIT compiler threads, and everything else (the
 * application's, the client's and the connection's threads, and the garbage collector).
 * Compiling is a one-time cost of a warming JVM that lands on whichever contender runs
 * while methods are compiled: in a profile of a short publish run it took half the JVM's
 * CPU, so a per-message figure that includes it measures the JIT's schedule more than the
 * contender. It has its own column, so nothing is hidden.
 */
final class CpuClock {

	private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100 on Linux

	private static final long QUIET_WINDOW_MILLIS = 200;

	private final com.sun.management.OperatingSystemMXBean os;

	private final Path brokerStat;

	/**
	 * Which of this JVM's threads ({@code /proc/self/task} entries) are JIT compiler
	 * threads: a thread's name is read once, not at every reading.
	 */
	private final Map<String, Boolean> compilerThreads = new ConcurrentHashMap<>();

	CpuClock(int brokerPort) {
		this.os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		this.brokerStat = findBroker(brokerPort);
	}

	/**
	 * A reading: [client ns without the JIT, broker ns or -1, JIT ns or -1].
	 */
	long[] read() {
		long jit = jitNanos();
		long process = this.os.getProcessCpuTime();
		return new long[] { process - Math.max(0, jit), brokerNanos(), jit };
	}

	/**
	 * Microseconds per message between two readings: [client without the JIT, broker or
	 * NaN, JIT or NaN].
	 */
	static double[] perMessage(long[] start, long[] end, long messages) {
		double client = (end[0] - start[0]) / 1000.0 / Math.max(1, messages);
		return new double[] { client, delta(start[1], end[1], messages), delta(start[2], end[2], messages) };
	}

	private static double delta(long start, long end, long messages) {
		return (start < 0 || end < 0) ? Double.NaN : Math.max(0, end - start) / 1000.0 / Math.max(1, messages);
	}

	/**
	 * CPU time of this JVM's JIT compiler threads ({@code C1/C2 CompilerThreadN}, which
	 * the kernel names {@code C2 CompilerThre}), from {@code /proc/self/task}. A compiler
	 * thread that ends between two readings takes its time out of this sum but not out of
	 * the process's, so such a trial is charged its compiling, never credited.
	 * @return the nanoseconds, or -1 where {@code /proc} cannot be read
	 */
	private long jitNanos() {
		try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
			long ticks = 0;
			for (Path task : (Iterable<Path>) tasks::iterator) {
				try {
					if (isCompilerThread(task)) {
						ticks += cpuTicks(Files.readString(task.resolve("stat")));
					}
				}
				catch (IOException ex) {
					// the thread ended meanwhile
				}
			}
			return ticks * TICK_NANOS;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	private boolean isCompilerThread(Path task) throws IOException {
		Boolean compiler = this.compilerThreads.get(task.getFileName().toString());
		if (compiler == null) {
			compiler = Files.readString(task.resolve("comm")).contains("CompilerThre");
			this.compilerThreads.put(task.getFileName().toString(), compiler);
		}
		return compiler;
	}

	/** utime + stime of a {@code /proc/.../stat} line, in clock ticks. */
	private static long cpuTicks(String stat) {
		// fields after the command name, which is in parentheses and may contain spaces
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

	/**
	 * Waits until the broker has finished what an earlier step left it doing (a backlog
	 * just filled is still being written to its message store and queue index for a
	 * while): until it used at most one clock tick (5 % of a core) in a 200 ms window. A
	 * consumer that starts while the broker is still busy runs slower whichever client it
	 * is, and which trial meets a busy broker is chance.
	 * @param timeoutMillis how long to wait at most
	 * @return whether the broker was quiet in time (false too if it cannot be seen)
	 */
	boolean awaitBrokerQuiet(long timeoutMillis) throws InterruptedException {
		if (this.brokerStat == null) {
			return false;
		}
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
		long previous = brokerNanos();
		while (System.nanoTime() < deadline) {
			// pacing a measurement: the condition is read from the broker's own counters
			Thread.sleep(QUIET_WINDOW_MILLIS);
			long now = brokerNanos();
			if (previous >= 0 && now >= 0 && now - previous <= TICK_NANOS) {
				return true;
			}
			previous = now;
		}
		return false;
	}

	boolean seesBroker() {
		return this.brokerStat != null;
	}

	private long brokerNanos() {
		if (this.brokerStat == null) {
			return -1;
		}
		try {
			return cpuTicks(Files.readString(this.brokerStat)) * TICK_NANOS;
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
