package io.zephcast.rabbit;

/**
 * Processes messages pushed by {@link RabbitClient#subscribe(RabbitMessageHandler)} on
 * the listener container's consumer threads: with concurrency N, up to N messages are
 * processed at once. When the handler returns, the message is acked. When it throws, the
 * message is not requeued at once (it would come straight back and fail again): it is
 * retried with back-off, as {@link RabbitClient#retryLater(RabbitMessage, Throwable)}
 * does. A copy waits in a wait queue for the {@link RabbitConfig#retry() retry policy}'s
 * next interval, then comes back with {@link RabbitMessage#deliveryAttempt()} one higher;
 * after the policy's last attempt it is dead-lettered (to the queue's dead-letter
 * exchange, else to {@code <queue>.dlq}) with {@link MessageHeaders} naming the exception
 * (with neither, it is nacked without requeue: dropped and logged). The original is acked
 * once the broker has confirmed the copy; if the broker does not store the copy, the
 * message is held for a back-off, then requeued.
 * <p>
 * A handler may also settle the message itself with
 * {@link RabbitClient#ack(RabbitMessage)},
 * {@link RabbitClient#retryLater(RabbitMessage, Throwable)},
 * {@link RabbitClient#deadLetter(RabbitMessage, Throwable)} (for example for a message it
 * can never process) or {@link RabbitClient#nack(RabbitMessage, boolean)}.
 */
@FunctionalInterface
public interface RabbitMessageHandler {

	/**
	 * Processes one message.
	 * @param message the message
	 * @throws Exception to have the message retried later, or dead-lettered after its
	 * last attempt
	 */
	void handle(RabbitMessage message) throws Exception;

}
