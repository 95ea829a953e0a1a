package io.zephcast.rabbit;

/**
 * Processes messages pushed by {@link RabbitClient#subscribe(RabbitMessageHandler)} on
 * the listener container's consumer threads: with concurrency N, up to N messages are
 * processed at once. When the handler returns, the message is acked; when it throws, it
 * is retried after a back-off per the configured {@link RetryPolicy} and, after its last
 * attempt, dead-lettered. A handler may also settle the message itself with
 * {@link RabbitClient#ack(RabbitMessage)}, {@link RabbitClient#retryLater(RabbitMessage)}
 * or {@link RabbitClient#reject(RabbitMessage)} (for example to dead-letter a message it
 * can never process at once).
 */
@FunctionalInterface
public interface RabbitMessageHandler {

	/**
	 * Processes one message.
	 * @param message the message
	 * @throws Exception to have the message retried later, then dead-lettered
	 */
	void handle(RabbitMessage message) throws Exception;

}
