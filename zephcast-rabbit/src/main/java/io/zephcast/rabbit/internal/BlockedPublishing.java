package io.zephcast.rabbit.internal;

import com.rabbitmq.client.BlockedListener;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

/**
 * Tracks whether the broker blocks publishing on the publisher connection (a memory or
 * disk alarm), so that sends fail at once instead of hanging in a socket write. A new
 * connection starts unblocked.
 */
final class BlockedPublishing implements ConnectionListener {

	private static final Log logger = LogFactory.getLog(BlockedPublishing.class);

	private final String streamName;

	private volatile @Nullable String reason;

	BlockedPublishing(String streamName) {
		this.streamName = streamName;
	}

	/**
	 * Why the broker blocks publishing.
	 * @return the broker's reason, or {@code null} while publishing is allowed
	 */
	@Nullable String reason() {
		return this.reason;
	}

	@Override
	public void onCreate(Connection connection) {
		this.reason = null;
		connection.addBlockedListener(new BlockedListener() {

			@Override
			public void handleBlocked(String reason) {
				BlockedPublishing.this.reason = reason;
				logger.warn("RabbitMQ blocks publishing for RabbitClient '" + BlockedPublishing.this.streamName + "' ("
						+ reason + "): sends fail with BrokerBlockedException until it unblocks");
			}

			@Override
			public void handleUnblocked() {
				BlockedPublishing.this.reason = null;
				logger
					.info("RabbitMQ unblocked publishing for RabbitClient '" + BlockedPublishing.this.streamName + "'");
			}

		});
	}

	@Override
	public void onClose(Connection connection) {
		this.reason = null;
	}

}
