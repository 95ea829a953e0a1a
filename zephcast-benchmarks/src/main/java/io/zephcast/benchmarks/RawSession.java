package io.zephcast.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import org.HdrHistogram.Histogram;

/**
 * The baseline: the raw {@code com.rabbitmq.client} API as its documentation recommends
 * for throughput. The publisher has its own connection, publisher confirms and a pipeline
 * of at most {@link #WINDOW} unconfirmed messages (confirms handled asynchronously,
 * {@code multiple} acks honoured); each consumer is a channel with
 * {@code basicQos(prefetch)} (none when prefetch is 0, the client's unbounded default)
 * that acks each message after handling it.
 */
final class RawSession extends Session {

	private final ConnectionFactory factory;

	/**
	 * What a published message carries besides its body. The raw client sending what
	 * zephcast sends separates what the client costs from what the metadata costs the
	 * broker; the two halves of it tell which part costs.
	 */
	enum MessageShape {

		/** {@code PERSISTENT_BASIC}: content type, delivery mode, priority. */
		BARE(false, false, false),

		/** Bare, published with the mandatory flag (returns when unroutable). */
		MANDATORY(true, false, false),

		/** Bare but for a short generated message id and a timestamp; not mandatory. */
		ID_AND_TIMESTAMP(false, true, true),

		/** Bare but for a short generated message id; not mandatory. */
		MESSAGE_ID(false, true, false),

		/** Bare but for a timestamp; not mandatory. */
		TIMESTAMP(false, false, true),

		/** What zephcast sends: id, timestamp and mandatory. */
		ZEPHCAST(true, true, true);

		private final boolean mandatory;

		private final boolean messageId;

		private final boolean timestamp;

		MessageShape(boolean mandatory, boolean messageId, boolean timestamp) {
			this.mandatory = mandatory;
			this.messageId = messageId;
			this.timestamp = timestamp;
		}

	}

	private final MessageShape shape;

	/**
	 * Consume as a pull loop on the raw client would: the delivery thread hands each
	 * message to an application thread (a {@link LinkedBlockingQueue}), which handles and
	 * acks it. Not a baseline: the measure of what any pull API on top of amqp-client's
	 * push dispatch costs, one thread hand-off per message.
	 */
	private final boolean handOff;

	private final List<Thread> applicationThreads = new ArrayList<>();

	private volatile boolean consuming;

	private final String idPrefix = Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36) + "-";

	private Connection publisherConnection;

	private Channel publisherChannel;

	private volatile ConfirmTracker tracker;

	private Connection consumerConnection;

	private final java.util.concurrent.atomic.AtomicLong delivered = new java.util.concurrent.atomic.AtomicLong();

	private final java.util.concurrent.atomic.AtomicLong acked = new java.util.concurrent.atomic.AtomicLong();

	RawSession(Options options, String queue, int prefetch, int concurrency) throws Exception {
		this(options, queue, prefetch, concurrency, MessageShape.BARE, false);
	}

	RawSession(Options options, String queue, int prefetch, int concurrency, MessageShape shape, boolean handOff)
			throws Exception {
		super(options, queue, prefetch, concurrency);
		this.factory = factory(options.url);
		this.shape = shape;
		this.handOff = handOff;
	}

	static ConnectionFactory factory(String url) throws Exception {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(url);
		if (factory.getVirtualHost().isEmpty()) {
			// amqp://host:5672/ means the vhost "" to the AMQP URI spec but "/" to
			// zephcast (and to users)
			factory.setVirtualHost("/");
		}
		return factory;
	}

	/** Opens the publisher connection now (so that it is not part of the measurement). */
	RawSession openPublisher() throws IOException, java.util.concurrent.TimeoutException {
		if (this.publisherConnection == null) {
			this.publisherConnection = this.factory.newConnection("zc-bench-raw-publisher");
			this.publisherChannel = this.publisherConnection.createChannel();
			this.publisherChannel.confirmSelect();
			this.publisherChannel.addConfirmListener(new ConfirmListener() {

				@Override
				public void handleAck(long deliveryTag, boolean multiple) {
					RawSession.this.tracker.settle(deliveryTag, multiple, true);
				}

				@Override
				public void handleNack(long deliveryTag, boolean multiple) {
					RawSession.this.tracker.settle(deliveryTag, multiple, false);
				}

			});
		}
		return this;
	}

	@Override
	int publish(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		openPublisher();
		Semaphore window = new Semaphore(WINDOW);
		ConfirmTracker confirms = new ConfirmTracker(this.publisherChannel.getNextPublishSeqNo(), count, window,
				confirmLatency);
		this.tracker = confirms;
		int sent = 0;
		for (int i = 0; i < count; i++) {
			if ((i & 63) == 0 && System.nanoTime() > deadlineNanos) {
				break;
			}
			acquire(window, 1);
			long due = (pacer != null) ? pacer.await(i) : 0;
			long now = System.nanoTime();
			confirms.sentAt.set(i, now);
			byte[] body = Payload.create((pacer != null) ? due : now, i);
			AMQP.BasicProperties properties = (this.shape.messageId || this.shape.timestamp)
					? new AMQP.BasicProperties.Builder().contentType("application/octet-stream")
						.deliveryMode(2)
						.messageId(this.shape.messageId ? this.idPrefix + Long.toString(i + 1, 36) : null)
						.timestamp(this.shape.timestamp ? new java.util.Date() : null)
						.build()
					: MessageProperties.PERSISTENT_BASIC;
			this.publisherChannel.basicPublish("", this.queue, this.shape.mandatory, properties, body);
			sent++;
		}
		drain(window);
		return sent;
	}

	@Override
	void startConsuming(Sink sink) throws Exception {
		this.consumerConnection = this.factory.newConnection("zc-bench-raw-consumer");
		for (int c = 0; c < this.concurrency; c++) {
			Channel channel = this.consumerConnection.createChannel();
			if (this.prefetch > 0) {
				channel.basicQos(this.prefetch);
			}
			if (this.handOff) {
				startHandOffConsumer(channel, sink, c);
				continue;
			}
			channel.basicConsume(this.queue, false, new DefaultConsumer(channel) {

				@Override
				public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
						byte[] body) throws IOException {
					RawSession.this.delivered.incrementAndGet();
					try {
						sink.onMessage(body, consumerTag);
					}
					catch (RuntimeException ex) {
						RawSession.this.failures.add("raw consumer: " + ex);
					}
					getChannel().basicAck(envelope.getDeliveryTag(), false);
					RawSession.this.acked.incrementAndGet();
				}

			});
		}
	}

	private void startHandOffConsumer(Channel channel, Sink sink, int index) throws IOException {
		BlockingQueue<Handed> handed = new LinkedBlockingQueue<>();
		this.consuming = true;
		Thread application = new Thread(() -> {
			while (this.consuming || !handed.isEmpty()) {
				Handed next;
				try {
					next = handed.poll(100, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					return;
				}
				if (next == null) {
					continue;
				}
				try {
					sink.onMessage(next.body(), next.consumerTag());
					channel.basicAck(next.deliveryTag(), false);
					this.acked.incrementAndGet();
				}
				catch (IOException | RuntimeException ex) {
					this.failures.add("raw hand-off consumer: " + ex);
				}
			}
		}, "zc-bench-raw-application-" + index);
		application.setDaemon(true);
		application.start();
		this.applicationThreads.add(application);
		channel.basicConsume(this.queue, false, new DefaultConsumer(channel) {

			@Override
			public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
					byte[] body) {
				RawSession.this.delivered.incrementAndGet();
				handed.add(new Handed(consumerTag, envelope.getDeliveryTag(), body));
			}

		});
	}

	/** A delivery on its way to the application thread. */
	private record Handed(String consumerTag, long deliveryTag, byte[] body) {

	}

	@Override
	void stopConsuming() throws Exception {
		if (this.consumerConnection != null) {
			// like the other contenders' stop: let the handler that is running finish and
			// ack
			long deadline = System.nanoTime() + 5_000_000_000L;
			while (this.acked.get() < this.delivered.get() && System.nanoTime() < deadline) {
				Thread.sleep(1);
			}
			this.consuming = false;
			for (Thread application : this.applicationThreads) {
				application.join(5_000);
			}
			this.applicationThreads.clear();
			this.consumerConnection.close();
			this.consumerConnection = null;
		}
	}

	@Override
	public void close() throws Exception {
		List<Exception> errors = new ArrayList<>();
		try {
			stopConsuming();
		}
		catch (Exception ex) {
			errors.add(ex);
		}
		if (this.publisherConnection != null) {
			try {
				this.publisherConnection.close();
			}
			catch (Exception ex) {
				errors.add(ex);
			}
			this.publisherConnection = null;
		}
		if (!errors.isEmpty()) {
			throw errors.get(0);
		}
	}

	/**
	 * Tracks the confirms of one publish call: publish sequence numbers
	 * base..base+count-1 map to message indexes 0..count-1 (one publishing thread). Runs
	 * on the connection's I/O thread.
	 */
	private final class ConfirmTracker {

		private final long base;

		private final boolean[] confirmed;

		private final AtomicLongArray sentAt;

		private final Semaphore window;

		private final Histogram latency;

		private int lowest;

		ConfirmTracker(long base, int count, Semaphore window, Histogram latency) {
			this.base = base;
			this.confirmed = new boolean[count];
			this.sentAt = new AtomicLongArray(count);
			this.window = window;
			this.latency = latency;
		}

		synchronized void settle(long deliveryTag, boolean multiple, boolean ack) {
			int index = (int) (deliveryTag - this.base);
			int settled = 0;
			if (multiple) {
				for (int i = this.lowest; i <= index && i < this.confirmed.length; i++) {
					settled += settleOne(i, ack);
				}
			}
			else if (index >= 0 && index < this.confirmed.length) {
				settled += settleOne(index, ack);
			}
			while (this.lowest < this.confirmed.length && this.confirmed[this.lowest]) {
				this.lowest++;
			}
			this.window.release(settled);
		}

		private int settleOne(int index, boolean ack) {
			if (this.confirmed[index]) {
				return 0;
			}
			this.confirmed[index] = true;
			if (!ack) {
				RawSession.this.failures.add("raw publisher: message " + index + " nacked by the broker");
			}
			record(this.latency, this.sentAt.get(index));
			return 1;
		}

	}

}
