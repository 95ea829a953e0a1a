package io.zephcast.rabbit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.rabbitmq.client.amqp.Connection;
import com.rabbitmq.client.amqp.Environment;
import com.rabbitmq.client.amqp.Management;
import com.rabbitmq.client.amqp.Message;
import com.rabbitmq.client.amqp.Publisher;
import com.rabbitmq.client.amqp.impl.AmqpEnvironmentBuilder;
import io.micrometer.observation.ObservationRegistry;
import io.zephcast.rabbit.RabbitClientMetrics;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.test.RabbitBroker;
import tools.jackson.databind.json.JsonMapper;

/**
 * An AMQP 1.0 environment and connection on the broker under test (RabbitMQ 4), with the
 * queues a test declares through AMQP 1.0 management, deleted on close; and the
 * consumptions it builds, stopped on close.
 */
final class Amqp10TestBroker implements AutoCloseable {

	final String prefix = "amqp10-consume-" + UUID.randomUUID().toString().substring(0, 8);

	final String connectionName = this.prefix + "-connection";

	final Environment environment;

	final Connection connection;

	final Management management;

	final ExecutorService callbacks = Executors.newFixedThreadPool(2);

	/**
	 * Runs the consumers' deliveries: a thread for each of a group's handlers, as a
	 * client's own connection has ({@code Amqp10Connection}); the AMQP 1.0 client's
	 * default has one per core, too few for a group of 3 whose handlers wait.
	 */
	private final ExecutorService dispatching = Executors.newCachedThreadPool();

	private final List<String> queues = new ArrayList<>();

	private final List<String> exchanges = new ArrayList<>();

	private final List<Amqp10Consumption> consumptions = new ArrayList<>();

	Amqp10TestBroker() {
		this.environment = new AmqpEnvironmentBuilder().connectionSettings()
			.uri(RabbitBroker.amqp10Uri())
			.environmentBuilder()
			.build();
		this.connection = this.environment.connectionBuilder()
			.name(this.connectionName)
			.dispatchingExecutor(this.dispatching)
			.build();
		this.management = this.connection.management();
	}

	String queue(String suffix, Consumer<Management.QueueSpecification> settings) {
		String name = this.prefix + suffix;
		Management.QueueSpecification queue = this.management.queue(name);
		settings.accept(queue);
		queue.declare();
		this.queues.add(name);
		return name;
	}

	String queue(String suffix) {
		return queue(suffix, (queue) -> {
		});
	}

	/** A fanout exchange bound to a new queue. */
	String fanoutTo(String exchangeSuffix, String queue) {
		String name = this.prefix + exchangeSuffix;
		this.management.exchange(name).type(Management.ExchangeType.FANOUT).declare();
		this.exchanges.add(name);
		this.management.binding().sourceExchange(name).destinationQueue(queue).key("").bind();
		return name;
	}

	/** Publishes messages {@code m-0} to {@code m-(count-1)}, with ids and a property. */
	void publish(String queue, int count) {
		try (Publisher publisher = this.connection.publisherBuilder().queue(queue).build()) {
			List<CompletableFuture<Publisher.Status>> accepted = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				Message message = publisher.message(("m-" + i).getBytes())
					.messageId("id-" + i)
					.correlationId("corr-" + i)
					.contentType("text/plain")
					.creationTime(1_700_000_000_000L + i)
					.property("index", i)
					.property("tenant", "acme");
				CompletableFuture<Publisher.Status> status = new CompletableFuture<>();
				publisher.publish(message, (context) -> status.complete(context.status()));
				accepted.add(status);
			}
			for (CompletableFuture<Publisher.Status> status : accepted) {
				if (status.get(10, TimeUnit.SECONDS) != Publisher.Status.ACCEPTED) {
					throw new IllegalStateException("not accepted: " + status.get());
				}
			}
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	Amqp10Consumption consumption(RabbitConfig config) {
		RabbitTopology topology = RabbitTopology.of(this.prefix, config);
		Amqp10Consumption consumption = new Amqp10Consumption(this.prefix, config, topology,
				new PayloadCodec(JsonMapper.builder().build()),
				new ClientInstrumentation(this.prefix, topology, ObservationRegistry.NOOP, RabbitClientMetrics.NONE),
				this.callbacks);
		this.consumptions.add(consumption);
		return consumption;
	}

	RabbitConfig.Builder config(String queue) {
		return RabbitConfig.builder().url(RabbitBroker.url()).queueName(queue);
	}

	@Override
	public void close() {
		for (Amqp10Consumption consumption : this.consumptions) {
			consumption.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
		}
		// over 0-9-1: this connection may be recovering after a test closed it
		RabbitBroker.delete(this.queues, this.exchanges);
		this.connection.close();
		this.environment.close();
		this.callbacks.shutdownNow();
		this.dispatching.shutdownNow();
	}

}
