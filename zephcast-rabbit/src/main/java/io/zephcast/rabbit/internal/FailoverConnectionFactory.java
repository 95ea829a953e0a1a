package io.zephcast.rabbit.internal;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.FrameHandler;
import com.rabbitmq.client.impl.FrameHandlerFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The Java client's connection factory for several addresses, saying which address it
 * skips. Given a list, amqp-client tries each address in turn and swallows every failure
 * but the last, so a wrong or dead node in the list would go unnoticed as long as another
 * answers. Here each address that cannot be reached is logged once, and again only after
 * it has answered in between: a client reconnecting every second while a node is down
 * does not repeat itself.
 */
final class FailoverConnectionFactory extends ConnectionFactory {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private final String connectionName;

	private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

	FailoverConnectionFactory(String connectionName) {
		this.connectionName = connectionName;
	}

	@Override
	protected synchronized FrameHandlerFactory createFrameHandlerFactory() throws IOException {
		FrameHandlerFactory sockets = super.createFrameHandlerFactory();
		return (address, clientProvidedName) -> {
			try {
				FrameHandler handler = sockets.create(address, clientProvidedName);
				answered(address);
				return handler;
			}
			catch (IOException ex) {
				skipped(address, ex);
				throw ex;
			}
		};
	}

	private void answered(Address address) {
		if (this.unreachable.remove(address.toString()) && logger.isInfoEnabled()) {
			logger.info("RabbitClient '" + this.connectionName + "': RabbitMQ at " + address + " answers again");
		}
	}

	private void skipped(Address address, IOException ex) {
		if (this.unreachable.add(address.toString()) && logger.isWarnEnabled()) {
			logger.warn("RabbitClient '" + this.connectionName + "': cannot reach RabbitMQ at " + address + " ("
					+ BrokerErrors.rootMessage(ex) + "); trying the other addresses. Said once until it answers "
					+ "again");
		}
	}

	/**
	 * The addresses skipped since they last answered, for tests.
	 * @return the addresses as {@code host:port}
	 */
	Set<String> unreachable() {
		return Set.copyOf(this.unreachable);
	}

}
