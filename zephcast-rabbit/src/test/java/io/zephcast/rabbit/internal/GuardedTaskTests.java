package io.zephcast.rabbit.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GuardedTask} keeps a periodic task scheduled after it throws: a
 * {@link ScheduledExecutorService} silently runs no more of a task that threw once.
 */
class GuardedTaskTests {

	@Test
	void aTaskThatThrowsRunsAgainAsScheduled() throws Exception {
		ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
		AtomicInteger runs = new AtomicInteger();
		CountDownLatch ranAfterFailing = new CountDownLatch(3);
		GuardedTask guarded = new GuardedTask("a test sweep", () -> {
			if (runs.incrementAndGet() <= 2) {
				throw new IllegalStateException("failed run " + runs.get());
			}
			ranAfterFailing.countDown();
		});
		try {
			timer.scheduleWithFixedDelay(guarded, 0, 10, TimeUnit.MILLISECONDS);
			assertThat(ranAfterFailing.await(10, TimeUnit.SECONDS)).as("ran three times after two failures").isTrue();
			assertThat(guarded.failures()).isEqualTo(2);
		}
		finally {
			timer.shutdownNow();
		}
	}

}
