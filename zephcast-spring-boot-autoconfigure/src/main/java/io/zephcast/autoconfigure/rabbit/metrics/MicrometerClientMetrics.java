package io.zephcast.autoconfigure.rabbit.metrics;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.SendFailedException.Reason;
import org.jspecify.annotations.Nullable;

/**
 * zephcast's own meters of one stream, fed by its client: the {@value #SEND} timer by
 * outcome, the {@value #DELIVERIES} counter by outcome, the {@value #HANDLER} timer and
 * the {@value #PARKING_FAILURES} counter by reason, the {@value #CONSUMER_TIMEOUTS}
 * counter. Every send and delivery meter is registered up front, so the hot path only
 * looks up an array slot and records.
 */
public final class MicrometerClientMetrics implements RabbitClientMetrics {

	/** Timer of sends, from the call until the broker's confirm or the failure. */
	public static final String SEND = "zephcast.send";

	/** Counter of delivered messages by how they were settled. */
	public static final String DELIVERIES = "zephcast.deliveries";

	/** Timer of handler calls. */
	public static final String HANDLER = "zephcast.handler";

	/**
	 * Counter of messages whose retry or dead-letter copy the broker did not store, by
	 * reason; each went back to its queue after a back-off.
	 */
	public static final String PARKING_FAILURES = "zephcast.parking.failures";

	/**
	 * Counter of consumer channels the broker closed because a message stayed unacked
	 * past the queue's consumer timeout; it redelivered the message.
	 */
	public static final String CONSUMER_TIMEOUTS = "zephcast.consumer.timeouts";

	private final MeterRegistry registry;

	private final Tags streamTags;

	private final Timer confirmed;

	private final Map<Reason, Timer> failed = new EnumMap<>(Reason.class);

	private final Map<DeliveryOutcome, Counter> deliveries = new EnumMap<>(DeliveryOutcome.class);

	private final Timer handled;

	/**
	 * The meters of a stream.
	 * @param registry where to register them
	 * @param streamName the stream, their {@code stream} tag
	 */
	public MicrometerClientMetrics(MeterRegistry registry, String streamName) {
		this.registry = registry;
		this.streamTags = Tags.of("stream", streamName);
		this.confirmed = sendTimer("confirmed");
		for (Reason reason : Reason.values()) {
			this.failed.put(reason, sendTimer(reason.tag()));
		}
		for (DeliveryOutcome outcome : DeliveryOutcome.values()) {
			this.deliveries.put(outcome,
					Counter.builder(DELIVERIES)
						.description("Messages delivered to the application, by how they were settled")
						.tags(this.streamTags)
						.tag("outcome", outcome.tag())
						.register(registry));
		}
		this.handled = handlerTimer("success", "none");
	}

	private Timer sendTimer(String outcome) {
		return Timer.builder(SEND)
			.description("Sends, from the call until the broker confirmed the message or the send failed")
			.tags(this.streamTags)
			.tag("outcome", outcome)
			.register(this.registry);
	}

	private Timer handlerTimer(String outcome, String exception) {
		return Timer.builder(HANDLER)
			.description("Calls of the stream's message handler")
			.tags(this.streamTags)
			.tag("outcome", outcome)
			.tag("exception", exception)
			.register(this.registry);
	}

	@Override
	public void sent(long nanos, @Nullable Reason failure) {
		Timer timer = (failure != null) ? this.failed.get(failure) : this.confirmed;
		timer.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void settled(DeliveryOutcome outcome) {
		this.deliveries.get(outcome).increment();
	}

	@Override
	public void handled(long nanos, @Nullable Throwable failure) {
		// a handler's failures are few: the timer per exception type is looked up then
		Timer timer = (failure != null) ? handlerTimer("error", failure.getClass().getSimpleName()) : this.handled;
		timer.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void parkingFailed(String reason) {
		// rare: the counter per reason is looked up then
		Counter.builder(PARKING_FAILURES)
			.description("Messages whose retry or dead-letter copy the broker did not store; each went back to "
					+ "its queue after a back-off")
			.tags(this.streamTags)
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

	@Override
	public void consumerTimedOut() {
		// rare: registered at the first one
		Counter.builder(CONSUMER_TIMEOUTS)
			.description("Consumer channels the broker closed because a message stayed unacked past the queue's "
					+ "consumer timeout; the message was redelivered")
			.tags(this.streamTags)
			.register(this.registry)
			.increment();
	}

}
