package io.zephcast.rabbit;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A message delivered by a {@link RabbitClient}. It stays unacknowledged until
 * {@link RabbitClient#ack(RabbitMessage)} or {@link RabbitClient#nack(RabbitMessage)};
 * until then the broker will deliver it again if this client goes away. Only the client
 * that delivered a message can settle it.
 * <p>
 * Its {@code toString()} describes the message without its body (which may hold personal
 * or secret data), so logging a message never logs its payload: its id, routing key,
 * queue, body size, delivery attempt and redelivered flag, e.g.
 * {@code RabbitMessage[id=42, routingKey=orders.created, queue=orders, size=120 bytes, attempt=1, redelivered=false]}.
 * Use {@link #text()} for the body as text.
 * <p>
 * An interface so that the client's ack machinery stays out of the API; applications do
 * not implement it (a client settles only the messages it delivered).
 */
public interface RabbitMessage {

	/**
	 * The raw body. The array is the message's own: do not modify it.
	 * @return the body bytes
	 */
	byte[] body();

	/**
	 * The body decoded as text, in the message's content encoding (UTF-8 if none).
	 * @return the body as a string
	 */
	String text();

	/**
	 * The body mapped from JSON to the given type; a {@code String} type returns
	 * {@link #text()} and {@code byte[]} the body.
	 * @param <T> the target type
	 * @param type the target type, e.g. a record
	 * @return the mapped body
	 * @throws IllegalStateException if the body is not JSON for that type
	 */
	<T> T bodyAs(Class<T> type);

	/**
	 * The message id the publisher set.
	 * @return the id, or {@code null} if none
	 */
	@Nullable String messageId();

	/**
	 * The correlation id the publisher set.
	 * @return the correlation id, or {@code null} if none
	 */
	@Nullable String correlationId();

	/**
	 * When the message was sent, as set by the publisher.
	 * @return the timestamp, or {@code null} if the publisher set none
	 */
	@Nullable Instant timestamp();

	/**
	 * The application headers, without the ones Spring AMQP adds for its own bookkeeping.
	 * @return the headers, unmodifiable
	 */
	Map<String, Object> headers();

	/**
	 * One header, as the broker delivered it (Spring AMQP's own included).
	 * @param name the header name
	 * @return its value, or {@code null} if the message has none
	 */
	@Nullable Object header(String name);

	/**
	 * The delivery tag, unique on the channel that delivered the message.
	 * @return the delivery tag
	 */
	long deliveryTag();

	/**
	 * Whether the broker delivered this message before (to this or another consumer) and
	 * it was not acked: the application may already have processed it. Only the copy that
	 * comes again is flagged, and it is not always handled last: when the broker closes a
	 * connection it requeues what that connection held, and another consumer may handle
	 * the flagged copy before the closed connection's client has read the close and
	 * stopped handing out its unflagged original. Tell duplicates apart by
	 * {@link #messageId()}.
	 * @return the redelivered flag
	 */
	boolean redelivered();

	/**
	 * The exchange the message was published to; on a retried copy or a dead letter, the
	 * one the original was published to (it came back through a wait queue).
	 * @return the exchange, empty for the default exchange
	 */
	@Nullable String exchange();

	/**
	 * The routing key the message was published with; on a retried copy or a dead letter,
	 * the original's, so that a handler that routes by key sees the same key on every
	 * attempt.
	 * @return the routing key
	 */
	@Nullable String routingKey();

	/**
	 * The content type the publisher set, e.g. {@code application/json}.
	 * @return the content type, or {@code null} if none
	 */
	@Nullable String contentType();

	/**
	 * The queue the message was consumed from.
	 * @return the queue name
	 */
	@Nullable String queue();

	/**
	 * The tag of the consumer that received the message: with concurrency N, it tells
	 * which of the N consumers of the group got it.
	 * @return the consumer tag
	 */
	@Nullable String consumerTag();

	/**
	 * Which delivery of the message this is, 1-based: 1 the first time, {@code n} when
	 * handling it failed {@code n - 1} times before. Counted by the client on the copies
	 * it retries (Spring AMQP's {@code retry-count} header), plus, on quorum queues, the
	 * broker's {@code x-delivery-count} of requeued deliveries. A classic queue's
	 * requeues (a nack, a lost connection) are not counted: RabbitMQ only flags them
	 * {@link #redelivered()}. Never counted from {@code x-death}, which a publisher can
	 * set and whose counting changed in RabbitMQ 3.13 and 4.0.
	 * @return the delivery attempt, at least 1
	 */
	int deliveryAttempt();

	/**
	 * Whether this message has been acked or nacked.
	 * @return whether it is settled
	 */
	boolean isSettled();

}
