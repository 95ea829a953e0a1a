package io.zephcast.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What the sample does, from {@code sample.*}; the broker side is zephcast's own
 * {@code zephcast.rabbit.*}.
 *
 * @param events how many order events to publish; 0 to only consume
 * @param failOnce the order whose first attempt fails, to show a retry after a back-off;
 * empty for none
 * @param poison the order that always fails, to show a message dead-lettered after its
 * retries; empty for none
 * @param processingTime how long handling one event takes, so that the consumers of the
 * group visibly work side by side
 * @param timeout how long to wait for the batch to be confirmed and processed before
 * giving up with exit code 1
 * @param keepRunning whether to keep consuming after the batch (the {@code keep-running}
 * profile sets it, and starts the web server for {@code /actuator})
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue("20") int events, @DefaultValue("order-0003") String failOnce,
		@DefaultValue("order-0007") String poison, @DefaultValue("50ms") Duration processingTime,
		@DefaultValue("60s") Duration timeout, boolean keepRunning) {

	public SampleProperties {
		if (events < 0) {
			throw new IllegalArgumentException("sample.events must not be negative, was " + events);
		}
	}

}
