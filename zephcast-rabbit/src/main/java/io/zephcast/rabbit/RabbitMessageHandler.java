package io.zephcast.rabbit;

/**
 * Processes messages pushed by {@link RabbitClient#subscribe(RabbitMessageHandler)} on
 * the listener container's consumer threads: with concurrency N, up to N messages are
 * processed at once. When the handler returns, the message is acked; when it throws, it
 * is nacked and requeued. A handler may also settle the message itself with
 * {@link RabbitClient#ack(RabbitMessage)} or
 * {@link RabbitClient#nack(RabbitMessage, boolean)} (for example to drop a message it can
 * never process).
 */
@FunctionalInterface
public interface RabbitMessageHandler {

	/**
	 * Processes one message.
	 * @param message the message
	 * @throws Exception to have the message requeued
	 */
	void handle(RabbitMessage message) throws Exception;

}
