package io.zephcast.rabbit.internal;

/**
 * The log every part of a client writes to.
 */
final class ClientLog {

	/**
	 * The name of the client's log: the façade's class name, as before the machinery
	 * moved here, so that logging configured for {@code io.zephcast.rabbit.RabbitClient}
	 * still applies; a name rather than the class, so that the machinery does not depend
	 * on the façade.
	 */
	static final String NAME = "io.zephcast.rabbit.RabbitClient";

	private ClientLog() {
	}

}
