package io.zephcast.benchmarks;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import org.HdrHistogram.Histogram;

/**
 * The raw AMQP 1.0 baseline: RabbitMQ's AMQP 1.0 Java client
 * ({@code com.rabbitmq.client:amqp-client}) as its documentation shows it, against the
 * same queue addressed as {@code /queues/<name>} (address v2, RabbitMQ 4). The publisher
 * has its own connection and at most {@link #WINDOW} messages in flight, each settled by
 * the broker before its permit comes back (the counterpart of 0-9-1's publisher
 * confirms): anything but {@code ACCEPTED} is a failure. Messages are durable, 100 bytes,
 * with a message id, creation time and content type: the shape zephcast sends. Each
 * consumer is a link with {@code initialCredits} = prefetch (the counterpart of
 * {@code basicQos}) that accepts each message after handling it.
 */
final class Amqp10Session extends Session {

	private final String idPrefix = Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36) + "-";

	private final Environment environment;

	private final Connection publisherConnection;

	private final Publisher publisher;

	private Connection consumerConnection;

	private final List<Consumer> consumers = new ArrayList<>();

	private final AtomicLong delivered = new AtomicLong();

	private final AtomicLong accepted = new AtomicLong();

	/**
	 * Connects the publisher now (outside the measurement).
	 * @param prefetch the consumers' link credit
	 */
	Amqp10Session(Options options, String queue, int prefetch, int concurrency) {
		super(options, queue, prefetch, concurrency);
		this.environment = environment(options.url);
		try {
			this.publisherConnection = this.environment.connectionBuilder().name("zc-bench-amqp10-publisher").build();
			this.publisher = this.publisherConnection.publisherBuilder().queue(queue).build();
		}
		catch (RuntimeException ex) {
			// the environment's executors would outlive a session that failed to open
			this.environment.close();
			throw ex;
		}
	}

	/** An environment (the client's executors and connection settings) for the URL. */
	static Environment environment(String url) {
		return new AmqpEnvironmentBuilder().connectionSettings().uri(uri(url)).environmentBuilder().build();
	}

	/**
	 * The URL as the AMQP 1.0 client reads it: {@code amqp://host:5672/} means the vhost
	 * "/" to zephcast (and to the 0-9-1 contender, {@link RawSession#factory}) but "" to
	 * the AMQP 1.0 client, which the broker refuses.
	 */
	static String uri(String url) {
		URI uri = URI.create(url);
		String path = uri.getRawPath();
		if (path != null && !path.isEmpty() && !path.equals("/")) {
			return url;
		}
		try {
			return new URI(uri.getScheme(), uri.getRawAuthority(), null, null, null) + "/%2f";
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid broker URL", ex);
		}
	}

	@Override
	int publish(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		Semaphore window = new Semaphore(WINDOW);
		int sent = 0;
		for (int i = 0; i < count; i++) {
			if ((i & 63) == 0 && System.nanoTime() > deadlineNanos) {
				break;
			}
			acquire(window, 1);
			long due = (pacer != null) ? pacer.await(i) : 0;
			long now = System.nanoTime();
			int index = i;
			Message message = this.publisher.message(Payload.create((pacer != null) ? due : now, i))
				.messageId(this.idPrefix + Long.toString(i + 1, 36))
				.creationTime(System.currentTimeMillis())
				.contentType("application/octet-stream")
				.durable(true);
			this.publisher.publish(message, (context) -> {
				if (context.status() == Publisher.Status.ACCEPTED) {
					record(confirmLatency, now);
				}
				else {
					this.failures.add("AMQP 1.0 publisher: message " + index + " " + context.status());
				}
				window.release();
			});
			sent++;
		}
		drain(window);
		return sent;
	}

	@Override
	void startConsuming(Sink sink) {
		this.consumerConnection = this.environment.connectionBuilder().name("zc-bench-amqp10-consumer").build();
		for (int c = 0; c < this.concurrency; c++) {
			String tag = "amqp10-" + c;
			this.consumers.add(this.consumerConnection.consumerBuilder()
				.queue(this.queue)
				.initialCredits(this.prefetch)
				.messageHandler((context, message) -> {
					this.delivered.incrementAndGet();
					try {
						sink.onMessage(message.body(), tag);
					}
					catch (RuntimeException ex) {
						this.failures.add("AMQP 1.0 consumer: " + ex);
					}
					context.accept();
					this.accepted.incrementAndGet();
				})
				.build());
		}
	}

	@Override
	void stopConsuming() throws Exception {
		if (this.consumerConnection != null) {
			// as the 0-9-1 contender's stop: let the handler that is running finish and
			// accept
			long deadline = System.nanoTime() + 5_000_000_000L;
			while (this.accepted.get() < this.delivered.get() && System.nanoTime() < deadline) {
				Thread.sleep(1);
			}
			this.consumers.forEach(Consumer::close);
			this.consumers.clear();
			this.consumerConnection.close();
			this.consumerConnection = null;
		}
	}

	@Override
	public void close() throws Exception {
		try {
			stopConsuming();
		}
		finally {
			this.publisher.close();
			this.publisherConnection.close();
			this.environment.close();
		}
	}

}
