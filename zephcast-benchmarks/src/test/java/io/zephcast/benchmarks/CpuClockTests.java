package io.zephcast.benchmarks;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client CPU column leaves the JIT compiler threads out, and shows them apart.
 */
class CpuClockTests {

	@Test
	void clientTimeLeavesTheJitCompilerThreadsOutAndTheJitColumnHasThem() {
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		long before = os.getProcessCpuTime();
		long[] reading = new CpuClock(5672).read();
		long after = os.getProcessCpuTime();
		assertThat(reading[2]).as("JIT CPU read from /proc/self/task (Linux)").isNotNegative();
		assertThat(reading[0] + reading[2]).isBetween(before, after);
	}

	@Test
	void perMessageSplitsClientBrokerAndJit() {
		double[] perMessage = CpuClock.perMessage(new long[] { 1_000_000, 2_000_000, 500_000 },
				new long[] { 3_000_000, 6_000_000, 1_500_000 }, 1_000);
		assertThat(perMessage).containsExactly(2.0, 4.0, 1.0);
		assertThat(CpuClock.perMessage(new long[] { 0, -1, -1 }, new long[] { 1_000, -1, -1 }, 1)[1]).isNaN();
	}

}
