package io.zephcast.rabbit.internal;

import java.time.Duration;

import io.zephcast.rabbit.RetryPolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wait of a retried copy: the policy's jitter shortens it, never lengthens it, since
 * the wait queue's TTL is the interval.
 */
class FailedMessagesTests {

	@Test
	void jitterShortensTheWaitWithinTheInterval() {
		RetryPolicy jittered = RetryPolicy.builder().jitter(0.5).build();
		for (int i = 0; i < 100; i++) {
			assertThat(FailedMessageFlow.jittered(jittered, Duration.ofSeconds(1))).isBetween(500L, 1000L);
		}
		assertThat(FailedMessageFlow.jittered(RetryPolicy.builder().jitter(0).build(), Duration.ofSeconds(1)))
			.isEqualTo(1000L);
	}

}
