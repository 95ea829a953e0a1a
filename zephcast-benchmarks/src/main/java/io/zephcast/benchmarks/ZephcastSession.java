package io.zephcast.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.rabbitmq.client.impl.MicrometerMetricsCollector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.zephcast.autoconfigure.rabbit.metrics.MicrometerClientMetrics;
import io.zephcast.rabbit.AckCoalescing;
import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitConnectionFactories;
import io.zephcast.rabbit.RabbitMessage;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * The zephcast {@link RabbitClient}, used as its documentation shows: one client per
 * stream, {@code send} futures (bounded here to {@link #WINDOW} in flight, released in
 * the future's callback, like the raw publisher's window), and either a handler
 * ({@code subscribe}, acked when it returns) or iteration (or a {@code receive(Duration)}
 * loop) with {@code ack}.
 */
final class ZephcastSession extends Session {

	enum Mode {

		PUSH, PULL, RECEIVE

	}

	/** The stream name of every zephcast client here (and the raw contender's app id). */
	static final String STREAM_NAME = "zc-bench-stream";

	/** The opt-in ack coalescing of the coalesced contenders. */
	static final AckCoalescing COALESCING = AckCoalescing.of(64, Duration.ofMillis(20));

	/** How long one {@code receive(Duration)} waits: the user's loop waited 30 s. */
	private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

	private final Mode mode;

	private final RabbitConfig config;

	private final RabbitClient client;

	private final List<Thread> pullers = new ArrayList<>();

	/** Set before the client closes: a receive then refused is the end, not a failure. */
	private volatile boolean stopping;

	/** The observed contender's connection factory, closed here, not by the client. */
	private final @Nullable CachingConnectionFactory observedConnectionFactory;

	ZephcastSession(Options options, String queue, int prefetch, int concurrency, Mode mode, boolean observed,
			boolean coalesced, Protocol protocol) {
		super(options, queue, prefetch, concurrency);
		this.mode = mode;
		RabbitConfig config = RabbitConfig.builder()
			.url(options.url)
			.protocol(protocol)
			.queueName(queue)
			.prefetchCount(Math.max(1, prefetch))
			.concurrency(concurrency)
			.durable(true)
			.ackCoalescing(coalesced ? COALESCING : AckCoalescing.OFF)
			.build();
		this.config = config;
		if (!observed) {
			this.observedConnectionFactory = null;
			this.client = new RabbitClient(STREAM_NAME, config).connect();
			return;
		}
		// what the starter sets up in an application with actuator (and no tracer): the
		// connection meters, zephcast's meters, and observations timed by the meter
		// handler
		MeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		this.observedConnectionFactory = RabbitConnectionFactories.create(STREAM_NAME, config);
		this.observedConnectionFactory.getRabbitConnectionFactory()
			.setMetricsCollector(new MicrometerMetricsCollector(meters, "rabbitmq", Tags.of("name", STREAM_NAME)));
		// -Dzephcast.bench.observed=meters or =observations measures one half alone
		String parts = System.getProperty("zephcast.bench.observed", "both");
		RabbitClient.Builder builder = RabbitClient.builder(STREAM_NAME, config)
			.connectionFactory(this.observedConnectionFactory);
		if (!parts.equals("observations")) {
			builder.metrics(new MicrometerClientMetrics(meters, STREAM_NAME));
		}
		if (!parts.equals("meters")) {
			builder.observationRegistry(observations);
		}
		this.client = builder.build().connect();
	}

	@Override
	int publish(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		return publishPipelined(count, confirmLatency, pacer, deadlineNanos, "zephcast send", this.client::send);
	}

	@Override
	void startConsuming(Sink sink) {
		if (this.mode == Mode.PUSH) {
			this.client.subscribe((message) -> sink.onMessage(message.body(), message.consumerTag()));
			return;
		}
		for (int c = 0; c < this.concurrency; c++) {
			Thread puller = new Thread(() -> {
				try {
					if (this.mode == Mode.RECEIVE) {
						receiveLoop(sink);
						return;
					}
					for (RabbitMessage message : this.client) {
						sink.onMessage(message.body(), message.consumerTag());
						this.client.ack(message);
					}
				}
				catch (RuntimeException ex) {
					if (!this.stopping) {
						this.failures.add("zephcast pull: " + ex);
					}
				}
			}, "zc-bench-pull-" + c);
			puller.setDaemon(true);
			this.pullers.add(puller);
			puller.start();
		}
	}

	/**
	 * The other pull API, as an application loops on it: {@code receive(Duration)}, then
	 * {@code ack}, until the client closes (a receive on a closed client throws).
	 */
	private void receiveLoop(Sink sink) {
		while (!this.stopping) {
			Optional<RabbitMessage> received = this.client.receive(RECEIVE_TIMEOUT);
			if (received.isPresent()) {
				RabbitMessage message = received.get();
				sink.onMessage(message.body(), message.consumerTag());
				this.client.ack(message);
			}
		}
	}

	@Override
	void stopConsuming() throws InterruptedException {
		this.stopping = true;
		// the client consumes until it closes: closing requeues what it fetched but did
		// not hand out
		this.client.close();
		for (Thread puller : this.pullers) {
			puller.join(this.options.timeoutSeconds * 1_000L);
		}
	}

	@Override
	public void close() throws Exception {
		stopConsuming();
		if (this.observedConnectionFactory != null) {
			this.observedConnectionFactory.destroy();
		}
		// the trial's queue is the harness's to check and delete
		ClientQueues.delete(this.options.url, this.config, false);
	}

}
