package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.rabbitmq.client.amqp.Connection;
import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.jspecify.annotations.Nullable;

/**
 * The consuming half of an AMQP 1.0 client: {@code concurrency} consumers (links) on the
 * queue, each with link credit = prefetch, handing messages to pullers or to a handler,
 * and settling them (accepted, released, rejected).
 * <p>
 * SKELETON: the signatures {@link Amqp10ClientCore} calls; being built.
 */
final class Amqp10Consumption {

	/** How messages reach the application. */
	enum Mode {

		/** {@code receive} and the iterator. */
		PULL,

		/** A handler. */
		PUSH

	}

	Amqp10Consumption(String streamName, RabbitConfig config, RabbitTopology topology, PayloadCodec codec,
			ClientInstrumentation instrumentation, Executor callbackExecutor) {
	}

	/**
	 * Starts the consumers on the connection in the mode, once; again after
	 * {@link #stop}.
	 * @throws IllegalStateException if already consuming in the other mode
	 */
	void start(Connection connection, Mode mode, @Nullable RabbitMessageHandler handler) {
		throw new UnsupportedOperationException();
	}

	CompletableFuture<RabbitMessage> next() {
		throw new UnsupportedOperationException();
	}

	Optional<RabbitMessage> poll(Duration timeout) throws InterruptedException {
		throw new UnsupportedOperationException();
	}

	Iterator<RabbitMessage> iterator() {
		throw new UnsupportedOperationException();
	}

	/** Whether this consumption delivered the message. */
	boolean owns(RabbitMessage message) {
		return false;
	}

	void ack(RabbitMessage message) {
		throw new UnsupportedOperationException();
	}

	void nack(RabbitMessage message, boolean requeue) {
		throw new UnsupportedOperationException();
	}

	CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		throw new UnsupportedOperationException();
	}

	CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		throw new UnsupportedOperationException();
	}

	/**
	 * Closes the consumers by the deadline: buffered messages not handed out are released
	 * to the queue; waiting receives fail with {@link IllegalStateException}.
	 */
	void stop(long deadlineNanos) {
	}

	boolean isConsuming() {
		return false;
	}

	int consumersRunning() {
		return 0;
	}

	int deliveriesBuffered() {
		return 0;
	}

}
