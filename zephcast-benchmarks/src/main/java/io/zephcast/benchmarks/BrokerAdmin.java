package io.zephcast.benchmarks;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * The harness's own connection: declares and deletes the benchmark's queues (all named
 * {@code zc-bench-<run>-...}), reads their depth and consumer count, and fills backlogs
 * with the raw publisher. Queues still there at exit are deleted by a shutdown hook.
 */
final class BrokerAdmin implements AutoCloseable {

	private final Options options;

	private final com.rabbitmq.client.ConnectionFactory factory;

	private Connection connection;

	private Channel channel;

	/**
	 * Set when the broker closed a connection of ours (shutdown, restart) or refused one.
	 */
	private volatile String outage;

	private final Set<String> queues = ConcurrentHashMap.newKeySet();

	private final String runId;

	/** The AMQP 1.0 contender's management, opened when first needed. */
	private Amqp10Admin amqp10;

	/** Deletes the run's queues if the JVM exits before {@link #close()}. */
	private final Thread cleanup = new Thread(this::deleteAll, "zc-bench-cleanup");

	BrokerAdmin(Options options, String runId) throws Exception {
		this.options = options;
		this.runId = runId;
		this.factory = RawSession.factory(options.url);
		this.factory.setAutomaticRecoveryEnabled(false);
		connect();
		Runtime.getRuntime().addShutdownHook(this.cleanup);
	}

	private void connect() throws Exception {
		this.connection = this.factory.newConnection("zc-bench-admin");
		this.connection.addShutdownListener((cause) -> {
			if (!cause.isInitiatedByApplication()) {
				this.outage = String.valueOf(cause.getMessage());
			}
		});
		this.channel = this.connection.createChannel();
	}

	/**
	 * The broker went away (e.g. another user of a shared broker restarted it) since the
	 * last call: returns why and forgets it.
	 */
	String takeOutage() {
		String seen = this.outage;
		this.outage = null;
		return seen;
	}

	/**
	 * Waits until the broker accepts connections again, reconnecting the admin
	 * connection.
	 */
	synchronized void awaitBroker(long timeoutMillis) throws Exception {
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
		while (true) {
			try {
				// a connection and a channel: the broker answers
				channel();
				return;
			}
			catch (Exception ex) {
				if (System.nanoTime() > deadline) {
					throw ex;
				}
				Thread.sleep(2_000);
			}
		}
	}

	String brokerVersion() {
		Map<String, Object> properties = this.connection.getServerProperties();
		return "RabbitMQ " + properties.getOrDefault("version", "?");
	}

	/** Declares a fresh durable queue {@code zc-bench-<run>-<name>}. */
	synchronized String declare(String name) throws IOException {
		String queue = "zc-bench-" + this.runId + "-" + name;
		channel().queueDelete(queue);
		channel().queueDeclare(queue, true, false, false, null);
		this.queues.add(queue);
		return queue;
	}

	/**
	 * Declares a fresh durable queue {@code zc-bench-<run>-<name>} with the contender's
	 * own protocol: an AMQP 1.0 contender's through AMQP 1.0 management, every other
	 * contender's over 0-9-1.
	 */
	String declare(Contender contender, String name) throws IOException {
		if (!contender.overAmqp10()) {
			return declare(name);
		}
		String queue = "zc-bench-" + this.runId + "-" + name;
		this.queues.add(queue);
		amqp10().declare(queue);
		return queue;
	}

	/**
	 * Fills the queue with count benchmark messages published with the contender's
	 * protocol (the raw publisher of that protocol).
	 */
	void fill(Contender contender, String queue, int count) throws Exception {
		if (!contender.overAmqp10()) {
			fill(queue, count);
			return;
		}
		amqp10().purge(queue);
		amqp10().fill(queue, count);
		int ready = awaitReady(queue, count, 10_000);
		if (ready != count) {
			throw new Session.BenchmarkFailure("backlog of " + queue + " is " + ready + ", expected " + count);
		}
	}

	private synchronized Amqp10Admin amqp10() {
		if (this.amqp10 == null) {
			this.amqp10 = new Amqp10Admin(this.options);
		}
		return this.amqp10;
	}

	/**
	 * Declares a fresh durable queue {@code zc-bench-<run>-<name>} that keeps at most the
	 * given number of messages (the oldest are dropped), so that a flood of messages does
	 * not fill the broker.
	 */
	synchronized String declareBounded(String name, int maxLength) throws IOException {
		String queue = "zc-bench-" + this.runId + "-" + name;
		channel().queueDelete(queue);
		channel().queueDeclare(queue, true, false, false, Map.of("x-max-length", maxLength));
		this.queues.add(queue);
		return queue;
	}

	synchronized void delete(String queue) throws IOException {
		channel().queueDelete(queue);
		this.queues.remove(queue);
	}

	/** Ready (not unacked) messages. */
	synchronized int ready(String queue) throws IOException {
		return declareOk(queue).getMessageCount();
	}

	synchronized int consumers(String queue) throws IOException {
		return declareOk(queue).getConsumerCount();
	}

	private AMQP.Queue.DeclareOk declareOk(String queue) throws IOException {
		try {
			return channel().queueDeclarePassive(queue);
		}
		catch (IOException ex) {
			throw new Session.BenchmarkFailure("queue " + queue + " is gone", ex);
		}
	}

	/** Waits until the queue has this many consumers (consumers start asynchronously). */
	void awaitConsumers(String queue, int count) throws Exception {
		long deadline = System.nanoTime() + 30_000_000_000L;
		while (consumers(queue) < count) {
			if (System.nanoTime() > deadline) {
				throw new Session.BenchmarkFailure(
						"queue " + queue + " has " + consumers(queue) + " consumer(s) after 30 s, expected " + count);
			}
			Thread.sleep(10);
		}
	}

	/** Waits until the queue has at least this many ready messages; returns the count. */
	int awaitReady(String queue, int atLeast, long timeoutMillis) throws Exception {
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
		int ready;
		while ((ready = ready(queue)) < atLeast && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		return ready;
	}

	/**
	 * Fills the queue with count benchmark messages (sequence 0..count-1) using the raw
	 * publisher.
	 */
	void fill(String queue, int count) throws Exception {
		try (RawSession publisher = new RawSession(this.options, queue, 0, 1)) {
			int sent = publisher.publish(count, null, null, Long.MAX_VALUE);
			if (sent != count) {
				throw new Session.BenchmarkFailure("filled only " + sent + " of " + count);
			}
		}
		int ready = awaitReady(queue, count, 10_000);
		if (ready != count) {
			throw new Session.BenchmarkFailure("backlog of " + queue + " is " + ready + ", expected " + count);
		}
	}

	private Channel channel() throws IOException {
		if (this.connection == null || !this.connection.isOpen()) {
			try {
				connect();
			}
			catch (IOException ex) {
				throw ex;
			}
			catch (Exception ex) {
				throw new IOException("Cannot reconnect to the broker: " + ex.getMessage(), ex);
			}
		}
		if (this.channel == null || !this.channel.isOpen()) {
			this.channel = this.connection.createChannel();
		}
		return this.channel;
	}

	/** Deletes every queue this run declared and did not delete yet. */
	synchronized void deleteAll() {
		for (String queue : Set.copyOf(this.queues)) {
			try {
				delete(queue);
			}
			catch (Exception ex) {
				System.err.println("Could not delete " + queue + ": " + ex);
			}
		}
	}

	@Override
	public void close() throws Exception {
		try {
			Runtime.getRuntime().removeShutdownHook(this.cleanup);
		}
		catch (IllegalStateException ex) {
			// the JVM is exiting: the hook runs anyway
		}
		deleteAll();
		if (this.amqp10 != null) {
			this.amqp10.close();
		}
		if (this.connection != null && this.connection.isOpen()) {
			this.connection.close();
		}
	}

}
