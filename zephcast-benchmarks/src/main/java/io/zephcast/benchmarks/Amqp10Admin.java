package io.zephcast.benchmarks;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Management;

/**
 * The AMQP 1.0 contender's queues, declared, purged and deleted through the AMQP 1.0
 * client's own {@link Management} (RabbitMQ 4's HTTP-over-AMQP management, on the AMQP
 * connection), and its backlogs filled with its own publisher: a backlog written over
 * 0-9-1 would make the broker convert every message it delivers over AMQP 1.0, a cost no
 * AMQP 1.0 application pays.
 */
final class Amqp10Admin implements AutoCloseable {

	private final Options options;

	private final Environment environment;

	private final Connection connection;

	private final Management management;

	Amqp10Admin(Options options) {
		this.options = options;
		this.environment = Amqp10Session.environment(options.url);
		this.connection = this.environment.connectionBuilder().name("zc-bench-amqp10-admin").build();
		this.management = this.connection.management();
	}

	/** Declares the queue afresh: durable, classic, as {@link BrokerAdmin#declare}. */
	void declare(String queue) {
		this.management.queueDelete(queue);
		this.management.queue(queue).type(Management.QueueType.CLASSIC).declare();
	}

	/** Removes what an earlier attempt left in the queue. */
	long purge(String queue) {
		return this.management.queuePurge(queue).messageCount();
	}

	void delete(String queue) {
		this.management.queueDelete(queue);
	}

	/** Fills the queue with count benchmark messages (sequence 0..count-1). */
	void fill(String queue, int count) throws Exception {
		try (Amqp10Session publisher = new Amqp10Session(this.options, queue, 0, 1)) {
			int sent = publisher.publish(count, null, null, Long.MAX_VALUE);
			if (sent != count) {
				throw new Session.BenchmarkFailure("filled only " + sent + " of " + count);
			}
		}
	}

	@Override
	public void close() {
		this.management.close();
		this.connection.close();
		this.environment.close();
	}

}
