package io.zephcast.rabbit.internal;

import com.rabbitmq.client.ConnectionFactory;
import io.zephcast.rabbit.RabbitConnectionFactories;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;

/**
 * Spring AMQP's caching connection factory, as {@link RabbitConnectionFactories} creates
 * it, able to tell whether its connections still dispatch on zephcast's
 * {@link ConsumerDispatch} (a customizer may have set another executor), and keeping that
 * dispatch's idle threads only while it has connections. Spring keeps the executor to
 * itself, and leaves one it was given running when it closes every connection
 * ({@link #resetConnection()}); a subclass is the one way to read it back and to hook
 * that.
 */
final class ClientConnectionFactory extends CachingConnectionFactory {

	ClientConnectionFactory(ConnectionFactory rabbitConnectionFactory) {
		super(rabbitConnectionFactory);
		// a connection created again after a reset (Spring's stop, then start) keeps
		// them again
		addConnectionListener((connection) -> keepDispatchThreads(true));
	}

	/**
	 * The dispatch a connection factory's connections use.
	 * @param connectionFactory the connection factory
	 * @return the dispatch, or {@code null} if they use another executor
	 */
	static @Nullable ConsumerDispatch dispatchOf(
			org.springframework.amqp.rabbit.connection.ConnectionFactory connectionFactory) {
		return (connectionFactory instanceof ClientConnectionFactory factory) ? factory.consumerDispatch() : null;
	}

	@Nullable ConsumerDispatch consumerDispatch() {
		return (getExecutorService() instanceof ConsumerDispatch dispatch) ? dispatch : null;
	}

	/**
	 * Closes the connections (on destroy, on Spring's stop, or when asked) and lets the
	 * dispatch's idle threads end: Spring AMQP leaves an executor it was given as it is.
	 * First, so that a connection created meanwhile keeps them.
	 */
	@Override
	public void resetConnection() {
		keepDispatchThreads(false);
		super.resetConnection();
	}

	private void keepDispatchThreads(boolean keep) {
		ConsumerDispatch dispatch = consumerDispatch();
		if (dispatch != null) {
			dispatch.keepIdleThreads(keep);
		}
	}

}
