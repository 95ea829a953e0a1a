package io.zephcast.rabbit.internal;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.SendFailedException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;

/**
 * The Micrometer observations of a client: one around each send ({@value #SEND}, from the
 * call until the broker's answer) and one around each delivered message
 * ({@value #PROCESS}, from its arrival until it is settled). The send's context carries
 * the message headers, so a tracer writes its trace context there (W3C
 * {@code traceparent} with OpenTelemetry or Brave); the delivery's reads them back, so
 * the consumer's span continues the producer's trace. Key names follow OpenTelemetry's
 * messaging conventions where there is one.
 */
final class ClientObservations {

	/** The observation of a send. */
	static final String SEND = "zephcast.publish";

	/** The observation of a delivered message, handled or pulled. */
	static final String PROCESS = "zephcast.process";

	static final String OUTCOME = "zephcast.outcome";

	// the outcome key values, made once: one is added to every observation
	private static final KeyValue CONFIRMED = KeyValue.of(OUTCOME, "confirmed");

	private static final Map<SendFailedException.Reason, KeyValue> SEND_FAILURES = new EnumMap<>(
			SendFailedException.Reason.class);

	private static final Map<DeliveryOutcome, KeyValue> DELIVERY_OUTCOMES = new EnumMap<>(DeliveryOutcome.class);

	static {
		for (SendFailedException.Reason reason : SendFailedException.Reason.values()) {
			SEND_FAILURES.put(reason, KeyValue.of(OUTCOME, reason.tag()));
		}
		for (DeliveryOutcome outcome : DeliveryOutcome.values()) {
			DELIVERY_OUTCOMES.put(outcome, KeyValue.of(OUTCOME, outcome.tag()));
		}
	}

	private final ObservationRegistry registry;

	private final String streamName;

	/** The client's own exchange: its key values and name made once, not per send. */
	private final String exchange;

	private final KeyValues sendKeyValues;

	private final String sendName;

	private final KeyValues processKeyValues;

	private final String processName;

	ClientObservations(ObservationRegistry registry, String streamName, String exchange, String queueName) {
		this.registry = registry;
		this.streamName = streamName;
		this.exchange = exchange;
		this.sendKeyValues = sendKeyValues(exchange);
		this.sendName = sendName(exchange);
		this.processKeyValues = KeyValues.of("messaging.system", "rabbitmq", "messaging.operation", "process",
				"messaging.destination.name", queueName, "zephcast.stream", streamName);
		this.processName = queueName + " process";
	}

	private KeyValues sendKeyValues(String exchange) {
		return KeyValues.of("messaging.system", "rabbitmq", "messaging.operation", "publish",
				"messaging.destination.name", exchange, "zephcast.stream", this.streamName);
	}

	private static String sendName(String exchange) {
		return exchange.isEmpty() ? "(default) publish" : exchange + " publish";
	}

	static KeyValue sendOutcome(SendFailedException.@Nullable Reason failure) {
		return (failure != null) ? SEND_FAILURES.get(failure) : CONFIRMED;
	}

	static KeyValue deliveryOutcome(DeliveryOutcome outcome) {
		return DELIVERY_OUTCOMES.get(outcome);
	}

	ObservationRegistry registry() {
		return this.registry;
	}

	/**
	 * Starts the observation of a send; a tracer has written its headers into
	 * {@link SendContext#getCarrier()} when this returns.
	 */
	Observation startSend(SendContext context) {
		boolean own = context.exchange.equals(this.exchange);
		return Observation.createNotStarted(SEND, () -> context, this.registry)
			.contextualName(own ? this.sendName : sendName(context.exchange))
			.lowCardinalityKeyValues(own ? this.sendKeyValues : sendKeyValues(context.exchange))
			.highCardinalityKeyValue("messaging.rabbitmq.destination.routing_key", context.routingKey)
			.start();
	}

	/**
	 * Starts the observation of a delivered message, continuing the trace its headers
	 * carry.
	 */
	Observation startProcess(MessageProperties properties) {
		ProcessContext context = new ProcessContext(properties.getHeaders());
		context.setRemoteServiceName("RabbitMQ");
		Observation observation = Observation.createNotStarted(PROCESS, () -> context, this.registry)
			.contextualName(this.processName)
			.lowCardinalityKeyValues(this.processKeyValues);
		String messageId = properties.getMessageId();
		if (messageId != null) {
			observation.highCardinalityKeyValue("messaging.message.id", messageId);
		}
		return observation.start();
	}

	/** A send: the headers a tracer writes its context into. */
	static final class SendContext extends SenderContext<Map<String, Object>> {

		private final String exchange;

		private final String routingKey;

		SendContext(String exchange, String routingKey) {
			super((carrier, key, value) -> {
				if (carrier != null) {
					carrier.put(key, value);
				}
			});
			this.exchange = exchange;
			this.routingKey = routingKey;
			setCarrier(new HashMap<>(4));
			setRemoteServiceName("RabbitMQ");
		}

	}

	/** A delivery: the headers a tracer reads the producer's context from. */
	static final class ProcessContext extends ReceiverContext<Map<String, Object>> {

		ProcessContext(Map<String, Object> headers) {
			super(ProcessContext::header);
			setCarrier(headers);
		}

		private static @Nullable String header(Map<String, Object> carrier, String key) {
			Object value = carrier.get(key);
			return (value != null) ? value.toString() : null;
		}

	}

}
