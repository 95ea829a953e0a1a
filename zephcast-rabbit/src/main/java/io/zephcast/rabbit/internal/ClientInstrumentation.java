package io.zephcast.rabbit.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.DeliveryOutcome;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.MessageProperties;

/**
 * Where a client's sends and deliveries meet its {@link RabbitClientMetrics} and its
 * Micrometer {@link ObservationRegistry}. With neither (the default) {@link #isOff()} is
 * true and the client's hot paths skip this class entirely: no time stamps, no extra
 * objects.
 */
final class ClientInstrumentation {

	private final RabbitClientMetrics metrics;

	private final @Nullable ClientObservations observations;

	private final boolean off;

	ClientInstrumentation(String streamName, RabbitTopology topology, ObservationRegistry registry,
			RabbitClientMetrics metrics) {
		this.metrics = metrics;
		this.observations = registry.isNoop() ? null
				: new ClientObservations(registry, streamName, topology.exchangeName(), topology.queueName());
		this.off = this.observations == null && metrics == RabbitClientMetrics.NONE;
	}

	boolean isOff() {
		return this.off;
	}

	/**
	 * Times a send until it is settled and observes it, adding the tracer's headers to
	 * the message.
	 * @param publish sends with the given options
	 * @return the send's own future (callers see the exception the client completes it
	 * with, not a wrapper)
	 */
	CompletableFuture<Void> send(String exchange, String routingKey, SendOptions options,
			Function<SendOptions, CompletableFuture<Void>> publish) {
		long start = System.nanoTime();
		Observation observation = null;
		SendOptions sent = options;
		if (this.observations != null) {
			ClientObservations.SendContext context = new ClientObservations.SendContext(exchange, routingKey);
			observation = this.observations.startSend(context);
			Map<String, Object> tracingHeaders = context.getCarrier();
			if (tracingHeaders != null && !tracingHeaders.isEmpty()) {
				sent = options.withHeaders(tracingHeaders);
			}
		}
		CompletableFuture<Void> result;
		try {
			result = publish.apply(sent);
		}
		catch (RuntimeException ex) {
			// not a send failure the client reports in the future: still ends the
			// observation, so no active one is left behind
			if (observation != null) {
				observation.error(ex);
				observation.stop();
			}
			throw ex;
		}
		Observation settled = observation;
		result.whenComplete((ignored, error) -> {
			SendFailedException.Reason failure = (error instanceof SendFailedException failed) ? failed.reason() : null;
			this.metrics.sent(System.nanoTime() - start, failure);
			if (settled != null) {
				settled.lowCardinalityKeyValue(ClientObservations.sendOutcome(failure));
				if (error != null) {
					settled.error(error);
				}
				settled.stop();
			}
		});
		return result;
	}

	/**
	 * Counts a retry or dead-letter copy the broker did not store.
	 * @param reason the {@link SendFailedException.Reason#tag()}, or {@code error}
	 */
	void parkingFailed(String reason) {
		this.metrics.parkingFailed(reason);
	}

	/**
	 * Counts a consumer channel the broker closed for a consumer timeout.
	 */
	void consumerTimedOut() {
		this.metrics.consumerTimedOut();
	}

	/**
	 * What a delivery tells when it is settled.
	 * @param properties the message's properties, whose headers may carry a trace context
	 * @return the listener; {@link DeliveryListener#NONE} when off
	 */
	DeliveryListener arrived(MessageProperties properties) {
		if (this.off) {
			return DeliveryListener.NONE;
		}
		if (this.observations == null) {
			return this.metrics::settled;
		}
		return new ObservedDelivery(this.metrics, this.observations.startProcess(properties));
	}

	/**
	 * Runs a push delivery (the handler, and the ack or nack after it) in the scope of
	 * its observation, so that what the handler logs and sends belongs to the message's
	 * trace.
	 */
	void handle(DeliveryListener listener, Runnable handling) {
		if (listener instanceof ObservedDelivery observed) {
			observed.runInScope(handling);
		}
		else {
			handling.run();
		}
	}

	/**
	 * Times the handler calls.
	 * @param handler the application's handler
	 * @return the handler, timed; itself when no one listens
	 */
	RabbitMessageHandler timed(RabbitMessageHandler handler) {
		if (this.off) {
			return handler;
		}
		ObservationRegistry registry = (this.observations != null) ? this.observations.registry() : null;
		return (message) -> {
			long start = System.nanoTime();
			try {
				handler.handle(message);
			}
			catch (Throwable ex) {
				this.metrics.handled(System.nanoTime() - start, ex);
				Observation current = (registry != null) ? registry.getCurrentObservation() : null;
				if (current != null) {
					current.error(ex);
				}
				throw ex;
			}
			this.metrics.handled(System.nanoTime() - start, null);
		};
	}

	/**
	 * The observation of one delivery: stopped when the message is settled, but not
	 * before the scope a handler runs in closes (a push delivery is settled inside it).
	 */
	private static final class ObservedDelivery implements DeliveryListener {

		private final RabbitClientMetrics metrics;

		private final Observation observation;

		private boolean inScope;

		private boolean settled;

		ObservedDelivery(RabbitClientMetrics metrics, Observation observation) {
			this.metrics = metrics;
			this.observation = observation;
		}

		@Override
		public void settled(DeliveryOutcome outcome) {
			this.metrics.settled(outcome);
			this.observation.lowCardinalityKeyValue(ClientObservations.deliveryOutcome(outcome));
			boolean stopNow;
			synchronized (this) {
				this.settled = true;
				stopNow = !this.inScope;
			}
			if (stopNow) {
				this.observation.stop();
			}
		}

		void runInScope(Runnable handling) {
			synchronized (this) {
				this.inScope = true;
			}
			try (Observation.Scope scope = this.observation.openScope()) {
				handling.run();
			}
			finally {
				boolean stopNow;
				synchronized (this) {
					this.inScope = false;
					stopNow = this.settled;
				}
				if (stopNow) {
					this.observation.stop();
				}
			}
		}

	}

}
