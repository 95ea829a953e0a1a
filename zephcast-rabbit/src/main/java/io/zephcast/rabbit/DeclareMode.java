package io.zephcast.rabbit;

/**
 * What a {@link RabbitClient} does with its exchange, queue and bindings when it
 * connects. The constants are named so that Spring Boot binds {@code declare: true},
 * {@code verify} and {@code false} to them.
 */
public enum DeclareMode {

	/**
	 * Declares the topology, and declares it again on every new connection (the default).
	 * A mismatch with what exists fails naming the setting.
	 */
	ON,

	/**
	 * Declares nothing but checks, passively, that the exchange and the queue exist and
	 * are as configured; fails naming the setting when one is missing or differs. For
	 * topology owned by another application. Bindings cannot be checked over AMQP and are
	 * taken on trust.
	 */
	VERIFY,

	/**
	 * Touches nothing: the topology is managed by operators. Only the queues the client's
	 * own retries and dead-letter queue need are checked (passively), so that a failing
	 * message never finds its next stop missing.
	 */
	OFF

}
