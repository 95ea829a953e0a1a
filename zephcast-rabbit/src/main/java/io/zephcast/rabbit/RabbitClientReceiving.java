package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.zephcast.rabbit.internal.ClientEngine;
import org.jspecify.annotations.Nullable;

/**
 * The receiving half of {@link RabbitClient}: pulling, pushing to a handler, and settling
 * delivered messages, each a one-line delegation to the machinery. Package-private:
 * {@link RabbitClient} extends it, and its public methods are documented as
 * {@link RabbitClient}'s (the javadoc tool and the compiler treat them so, as for
 * {@code StringBuilder} and its package-private superclass). It exists so that the
 * client's file stays under 400 lines; it never names {@link RabbitClient}, so no cycle
 * forms.
 */
abstract class RabbitClientReceiving {

	final ClientEngine core;

	RabbitClientReceiving(ClientEngine core) {
		this.core = core;
	}

	/**
	 * The next message, when it arrives. Starts consuming on first use. The future
	 * completes on the client's callback pool, never on a broker thread. Several receives
	 * may wait at once; messages go to them in order.
	 * <p>
	 * Giving up on the future withdraws the receive, and the next message goes to the
	 * next receive: {@code cancel}, {@code orTimeout}, {@code completeOnTimeout}, or a
	 * {@code get(timeout)} that times out or a {@code get} that is interrupted (these
	 * cancel the future: to wait again, call {@code receive()} again). A message that
	 * arrives as the wait ends is returned rather than left behind. Only the returned
	 * future counts: giving up on a stage derived from it ({@code thenApply}...) leaves
	 * the receive waiting. A receive that is neither read nor given up on cannot be told
	 * from a slow reader: it takes a message, which stays unacknowledged and goes back to
	 * the queue when the client closes.
	 * @return a future completed with the next message; completed exceptionally with
	 * {@link IllegalStateException} if the client is not running or closes first, and
	 * with the error if consuming cannot start (e.g. a {@link TopologyMismatchException},
	 * or an {@link InvalidRabbitConfigException} for a queue retried messages could not
	 * come back to)
	 */
	public CompletableFuture<RabbitMessage> receive() {
		return this.core.receive();
	}

	/**
	 * Waits up to the timeout for the next message. Starts consuming on first use.
	 * @param timeout how long to wait
	 * @return the message, or empty if none came in time, the client closed while
	 * waiting, or the thread was interrupted (its interrupt flag is then set)
	 * @throws IllegalStateException if the client is not running (not connected yet,
	 * stopped, or closed)
	 * @throws RabbitClientException if consuming cannot start (e.g. a
	 * {@link TopologyMismatchException}); the next call tries again
	 * @throws InvalidRabbitConfigException if retried messages could not come back to the
	 * queue (a classic queue that rejects publishes when full, with retries)
	 */
	public Optional<RabbitMessage> receive(Duration timeout) {
		return this.core.receive(timeout);
	}

	/**
	 * Pushes every message to the handler on the container's consumer threads (with
	 * concurrency N, N at once). When the handler returns, the message is acked (unless
	 * the handler settled it). When it throws, the message is not requeued at once but
	 * handled as {@link #retryLater(RabbitMessage, Throwable)} does: a copy waits in a
	 * wait queue for the {@link RabbitConfig#retry() retry policy}'s next interval and
	 * comes back with {@link RabbitMessage#deliveryAttempt()} one higher; once the
	 * policy's attempts are used up, it is dead-lettered with the exception recorded in
	 * its {@link MessageHeaders}. If the broker does not store that copy, the message is
	 * held for a back-off, then requeued: never lost and never spinning. A client either
	 * pulls or has a handler, not both.
	 * @param handler the handler
	 * @throws IllegalStateException if the client already consumes, or is not running
	 * @throws RabbitClientException if consuming cannot start; the next call tries again
	 * @throws InvalidRabbitConfigException if retried messages could not come back to the
	 * queue (a classic queue that rejects publishes when full, with retries)
	 */
	public void subscribe(RabbitMessageHandler handler) {
		this.core.subscribe(handler);
	}

	/**
	 * Acknowledges a message: the broker deletes it. Safe from any thread.
	 * @param message a message this client delivered
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void ack(RabbitMessage message) {
		this.core.ack(message);
	}

	/**
	 * Rejects a message and puts it back in the queue; it comes again flagged
	 * redelivered.
	 * @param message a message this client delivered
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void nack(RabbitMessage message) {
		nack(message, true);
	}

	/**
	 * Rejects a message, as AMQP's {@code basic.nack} does: with requeue it goes back to
	 * the queue (counted {@link DeliveryOutcome#REQUEUED}); without, the broker drops it,
	 * or dead-letters it itself if the queue has a dead-letter exchange, with no
	 * {@link MessageHeaders} (counted {@link DeliveryOutcome#REJECTED}). To send it to
	 * the client's dead letters with headers that say why, use
	 * {@link #deadLetter(RabbitMessage, Throwable)}.
	 * @param message a message this client delivered
	 * @param requeue true to put it back in the queue; false to drop it (or dead-letter
	 * it, if the queue has a dead-letter exchange)
	 * @throws IllegalStateException if the message was already acked or nacked
	 * @throws AckFailedException if its channel is gone; the broker will redeliver it
	 */
	public void nack(RabbitMessage message, boolean requeue) {
		this.core.nack(message, requeue);
	}

	/**
	 * Gives up on a message for now; see {@link #retryLater(RabbitMessage, Throwable)}.
	 * @param message a message this client delivered
	 * @return a future completed once the message is settled
	 */
	public CompletableFuture<Void> retryLater(RabbitMessage message) {
		return retryLater(message, null);
	}

	/**
	 * Dead-letters a message now; see {@link #deadLetter(RabbitMessage, Throwable)}.
	 * @param message a message this client delivered
	 * @return a future completed once the message is settled
	 * @throws IllegalStateException if the message was already settled
	 */
	public CompletableFuture<Void> deadLetter(RabbitMessage message) {
		return deadLetter(message, null);
	}

	/**
	 * Dead-letters a message now.
	 * @param message a message this client delivered
	 * @return a future completed once the message is settled
	 * @deprecated since 0.2, for {@link #deadLetter(RabbitMessage)}: in AMQP a rejected
	 * message is one nacked without requeue ({@link #nack(RabbitMessage, boolean)}),
	 * which this method does not do
	 */
	@Deprecated(since = "0.2", forRemoval = true)
	public CompletableFuture<Void> reject(RabbitMessage message) {
		return deadLetter(message);
	}

	/**
	 * Gives up on a message for now: it waits in the broker for the
	 * {@link RabbitConfig#retry() retry policy}'s interval, then comes again with
	 * {@link RabbitMessage#deliveryAttempt()} one higher; after the last attempt it is
	 * dead-lettered instead (see {@link #deadLetter(RabbitMessage, Throwable)}, with
	 * {@link MessageHeaders#REASON_ATTEMPTS_EXHAUSTED}). What a handler that throws gets.
	 * The original is acked once the broker has confirmed the copy (counted
	 * {@link DeliveryOutcome#RETRIED}); if the broker does not store the copy, the
	 * message is held for a back-off, then requeued, so it neither spins nor is lost.
	 * @param message a message this client delivered
	 * @param cause why it failed, recorded in the dead letter's headers; may be
	 * {@code null}
	 * @return a future completed once the message is settled
	 * @throws IllegalStateException if the message was already settled
	 */
	public CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause) {
		return this.core.retryLater(message, cause);
	}

	/**
	 * Dead-letters a message now, whatever its attempt: a copy goes to the queue's
	 * dead-letter exchange if it has one, else to the dead-letter queue
	 * {@code <queue>.dlq}, with {@link MessageHeaders} that say why
	 * ({@link MessageHeaders#DEAD_LETTER_REASON} is
	 * {@link MessageHeaders#REASON_REJECTED}), and the original is acked once the broker
	 * has confirmed the copy: counted {@link DeliveryOutcome#DEAD_LETTERED}. If the
	 * broker does not store the copy, the message is held for a back-off, then requeued.
	 * With neither a dead-letter exchange nor the dead-letter queue, it is nacked without
	 * requeue instead (dropped, logged at WARN, counted
	 * {@link DeliveryOutcome#REJECTED}).
	 * @param message a message this client delivered
	 * @param cause why, recorded in the dead letter's headers; may be {@code null}
	 * @return a future completed once the message is settled
	 * @throws IllegalStateException if the message was already settled
	 */
	public CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause) {
		return this.core.deadLetter(message, cause);
	}

	/**
	 * Dead-letters a message now, whatever its attempt.
	 * @param message a message this client delivered
	 * @param cause why, recorded in the dead letter's headers; may be {@code null}
	 * @return a future completed once the message is settled
	 * @deprecated since 0.2, for {@link #deadLetter(RabbitMessage, Throwable)}: in AMQP a
	 * rejected message is one nacked without requeue
	 * ({@link #nack(RabbitMessage, boolean)}), which this method does not do
	 */
	@Deprecated(since = "0.2", forRemoval = true)
	public CompletableFuture<Void> reject(RabbitMessage message, @Nullable Throwable cause) {
		return deadLetter(message, cause);
	}

}
