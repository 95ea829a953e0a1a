package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.SendOptions;

/**
 * What both {@link ClientEngine}s do the same around their protocol's parts: the checks
 * of a call's arguments, and how pulling answers when consuming cannot start, the wait is
 * interrupted or the client is closing. In one place so that {@link ClientCore} (AMQP
 * 0-9-1) and {@link Amqp10ClientCore} (AMQP 1.0) keep one contract.
 */
final class EngineCalls {

	private EngineCalls() {
	}

	/**
	 * Checks the arguments of a send.
	 * @param payload the payload
	 * @param options the options
	 * @throws NullPointerException if either is {@code null}
	 */
	static void checkSend(Object payload, SendOptions options) {
		Objects.requireNonNull(payload, "payload");
		Objects.requireNonNull(options, "options");
	}

	/**
	 * Checks that a message to settle was delivered by this client: another client's
	 * channel or link cannot settle it.
	 * @param message the message
	 * @param deliveredHere whether this client delivered it
	 * @throws IllegalArgumentException if it did not
	 */
	static void checkDeliveredHere(RabbitMessage message, Predicate<RabbitMessage> deliveredHere) {
		Objects.requireNonNull(message, "message");
		if (!deliveredHere.test(message)) {
			throw new IllegalArgumentException(
					"Message " + message.messageId() + " was delivered by another RabbitClient; settle it there");
		}
	}

	/**
	 * Checks, as consuming starts, that a retried or dead-lettered copy can reach its
	 * queue ({@link TopologyChecks#checkRetryReturnPath}).
	 * @param config the configuration
	 */
	static void checkRetryReturnPath(RabbitConfig config) {
		TopologyChecks.checkRetryReturnPath(config.queueType(), config.queue(), config.retry());
	}

	/**
	 * {@code receive()}: starts pulling, then the next message. A failure to start fails
	 * the future instead of being thrown, as any later failure would.
	 * @param startPulling starts consuming for pulls
	 * @param next the next message of the pull buffer
	 * @return the future message
	 */
	static CompletableFuture<RabbitMessage> receive(Runnable startPulling,
			Supplier<CompletableFuture<RabbitMessage>> next) {
		try {
			startPulling.run();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return next.get();
	}

	/**
	 * {@code receive(timeout)}: starts pulling, then waits for a message; an interrupted
	 * wait returns empty with the thread's flag set again.
	 * @param startPulling starts consuming for pulls
	 * @param poll waits on the pull buffer
	 * @param timeout how long to wait
	 * @return the message, or empty
	 */
	static Optional<RabbitMessage> receive(Runnable startPulling, Poll poll, Duration timeout) {
		startPulling.run();
		try {
			return poll.poll(timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Optional.empty();
		}
	}

	/**
	 * {@code iterator()}: empty on a closing or closed client (a loop over it ends rather
	 * than restarting consumption), else starts pulling.
	 * @param state the client's lifecycle state
	 * @param startPulling starts consuming for pulls
	 * @param iterator the iterator over the pull buffer
	 * @return the iterator
	 */
	static Iterator<RabbitMessage> iterator(ClientLifecycle.State state, Runnable startPulling,
			Supplier<Iterator<RabbitMessage>> iterator) {
		if (state == ClientLifecycle.State.CLOSING || state == ClientLifecycle.State.CLOSED) {
			return Collections.emptyIterator();
		}
		startPulling.run();
		return iterator.get();
	}

	/** A wait for the next message of a pull buffer. */
	@FunctionalInterface
	interface Poll {

		/**
		 * Waits for the next message.
		 * @param timeout how long to wait
		 * @return the message, or empty
		 * @throws InterruptedException if the wait is interrupted
		 */
		Optional<RabbitMessage> poll(Duration timeout) throws InterruptedException;

	}

}
