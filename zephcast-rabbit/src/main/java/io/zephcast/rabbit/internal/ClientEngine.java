package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.rabbit.SendOptions;
import org.jspecify.annotations.Nullable;

/**
 * What {@code io.zephcast.rabbit.RabbitClient} delegates to: one implementation per
 * protocol ({@link ClientCore} for AMQP 0-9-1, {@link Amqp10ClientCore} for AMQP 1.0),
 * behind the same API and contract. The façade documents each method.
 */
public interface ClientEngine {

	/** Connects, or starts a stopped client again. */
	void connect();

	/**
	 * Whether running, connected and declared.
	 * @return whether connected
	 */
	boolean isConnected();

	/**
	 * The client's status.
	 * @return the status
	 */
	RabbitClientStatus status();

	/**
	 * Sends a message.
	 * @param payload the payload
	 * @param options the options
	 * @return completed when the broker has stored the message
	 */
	CompletableFuture<Void> send(Object payload, SendOptions options);

	/**
	 * The next message, when it arrives.
	 * @return the future message
	 */
	CompletableFuture<RabbitMessage> receive();

	/**
	 * The next message, waiting up to the timeout.
	 * @param timeout how long to wait
	 * @return the message, or empty
	 */
	Optional<RabbitMessage> receive(Duration timeout);

	/**
	 * A blocking iterator over the messages; empty on a closing or closed client.
	 * @return the iterator
	 */
	Iterator<RabbitMessage> iterator();

	/**
	 * Pushes every message to the handler.
	 * @param handler the handler
	 */
	void subscribe(RabbitMessageHandler handler);

	/**
	 * Acks a message this client delivered.
	 * @param message the message
	 */
	void ack(RabbitMessage message);

	/**
	 * Nacks a message this client delivered.
	 * @param message the message
	 * @param requeue whether to requeue it
	 */
	void nack(RabbitMessage message, boolean requeue);

	/**
	 * Retries a message later, or dead-letters it after its last attempt.
	 * @param message the message
	 * @param cause why, or {@code null}
	 * @return completed once the message is settled
	 */
	CompletableFuture<Void> retryLater(RabbitMessage message, @Nullable Throwable cause);

	/**
	 * Dead-letters a message now.
	 * @param message the message
	 * @param cause why, or {@code null}
	 * @return completed once the message is settled
	 */
	CompletableFuture<Void> deadLetter(RabbitMessage message, @Nullable Throwable cause);

	/** Stops without closing. */
	void stop();

	/** Closes, within the shutdown timeout. */
	void close();

	/**
	 * Whether started and neither stopped nor closed.
	 * @return whether running
	 */
	boolean isRunning();

}
