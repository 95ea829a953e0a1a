package io.zephcast.autoconfigure.rabbit.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.zephcast.autoconfigure.rabbit.RabbitClients;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitClientStatus;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The gauges of every stream, read from its client's {@link RabbitClientStatus}: sends in
 * flight, deliveries buffered for pull, consumers running.
 */
public final class ZephcastClientMeterBinder implements MeterBinder {

	/** Gauge of sends written and waiting for the broker's confirm. */
	public static final String SENDS_PENDING = "zephcast.sends.pending";

	/**
	 * Gauge of delivered messages buffered for {@code receive()} and iteration, not yet
	 * handed out.
	 */
	public static final String DELIVERIES_BUFFERED = "zephcast.deliveries.buffered";

	/** Gauge of the consumers subscribed to the broker. */
	public static final String CONSUMERS_RUNNING = "zephcast.consumers.running";

	private final ObjectProvider<RabbitClients> clients;

	/**
	 * The gauges of the application's clients.
	 * @param clients the clients, looked up when the meters are bound
	 */
	public ZephcastClientMeterBinder(ObjectProvider<RabbitClients> clients) {
		this.clients = clients;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		RabbitClients clients = this.clients.getIfAvailable();
		if (clients == null) {
			return;
		}
		for (RabbitClient client : clients) {
			String stream = client.streamName();
			// the status is read at each measurement, not at binding: binding happens
			// before the clients start, and asks nothing of a client then
			Gauge.builder(SENDS_PENDING, client, (measured) -> measured.status().sendsInFlight())
				.description("Sends written and waiting for the broker's confirm")
				.tag("stream", stream)
				.register(registry);
			Gauge.builder(DELIVERIES_BUFFERED, client, (measured) -> measured.status().deliveriesBuffered())
				.description("Delivered messages buffered for receive() and iteration, not yet handed out")
				.tag("stream", stream)
				.register(registry);
			Gauge.builder(CONSUMERS_RUNNING, client, (measured) -> measured.status().consumersRunning())
				.description("Consumers subscribed to the broker (-1: the container cannot tell)")
				.tag("stream", stream)
				.register(registry);
		}
	}

}
