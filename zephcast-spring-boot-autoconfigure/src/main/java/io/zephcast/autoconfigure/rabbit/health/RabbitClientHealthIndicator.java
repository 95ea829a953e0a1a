package io.zephcast.autoconfigure.rabbit.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitClientStatus;
import io.zephcast.rabbit.RabbitClientStatus.BrokerCheck;
import io.zephcast.rabbit.RabbitClientStatus.ConnectionFailure;
import io.zephcast.rabbit.RabbitClientStatus.ConsumerTimeout;
import io.zephcast.rabbit.RabbitClientStatus.ParkingFailure;
import io.zephcast.rabbit.RabbitClientStatus.QueueState;
import io.zephcast.rabbit.RabbitConnectionException;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.util.Assert;

/**
 * The health of one zephcast stream. Like Spring Boot's own {@code rabbit} indicator it
 * asks the broker (here through the client's own connection, which it opens again if it
 * was lost, as the client's next use would), so it turns UP by itself once the broker
 * answers again. It is DOWN when the broker cannot be reached (with the masked URL and
 * the reason) or when the client consumes but none of its consumers runs (with why, e.g.
 * the broker cancelled them and their queue is gone); UP otherwise, with the details an
 * operator asks first: the broker's version, publishing blocked, consumers running versus
 * configured, the queue's depth and consumers, the last connection failure, (once a retry
 * or dead-letter copy was not stored) the parking failures, and (once the broker closed a
 * consumer's channel because a handler held a message past the queue's consumer timeout)
 * the last consumer timeout.
 */
public class RabbitClientHealthIndicator extends AbstractHealthIndicator {

	private final RabbitClient client;

	/**
	 * The health indicator of a client.
	 * @param client the client
	 */
	public RabbitClientHealthIndicator(RabbitClient client) {
		super("zephcast health check failed");
		Assert.notNull(client, "'client' must not be null");
		this.client = client;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		RabbitClientStatus status = this.client.status();
		builder.withDetail("url", status.url()).withDetail("state", status.state());
		// known from the first connect on, so shown while the broker is down too
		status.brokerVersion().ifPresent((version) -> builder.withDetail("brokerVersion", version));
		BrokerCheck check;
		try {
			check = status.checkBroker();
		}
		catch (RabbitConnectionException ex) {
			// the client's own message: masked URL and the reason, never credentials
			builder.down().withDetail("error", ex.getMessage());
			addLastFailure(builder, status);
			return;
		}
		if (!status.isRunning()) {
			builder.outOfService();
		}
		else if (status.isConsuming() && status.consumersRunning() == 0) {
			// the broker answers again, but the consumers are not back yet (they restart
			// within about a second), or cannot come back (their queue is gone and the
			// client may not declare it): the stream processes nothing meanwhile
			String failure = status.consumerFailure();
			builder.down().withDetail("error", (failure != null) ? failure : "no consumer is running");
		}
		else {
			builder.up();
		}
		builder.withDetail("version", check.serverVersion());
		String blocked = status.publishingBlockedReason();
		builder.withDetail("publishing", (blocked != null) ? "blocked by the broker: " + blocked : "allowed");
		builder.withDetail("consumers", consumers(status));
		QueueState queue = check.queue();
		if (queue != null) {
			builder.withDetail("queue",
					Map.of("name", queue.name(), "messages", queue.messages(), "consumers", queue.consumers()));
		}
		builder.withDetail("sendsInFlight", status.sendsInFlight());
		builder.withDetail("deliveriesBuffered", status.deliveriesBuffered());
		addParkingFailures(builder, status);
		addConsumerTimeout(builder, status);
		addLastFailure(builder, status);
	}

	private static Map<String, Object> consumers(RabbitClientStatus status) {
		Map<String, Object> consumers = new LinkedHashMap<>();
		consumers.put("configured", status.consumersConfigured());
		int running = status.consumersRunning();
		consumers.put("running", (running >= 0) ? running : "unknown");
		String failure = status.consumerFailure();
		if (failure != null) {
			consumers.put("failure", failure);
		}
		return consumers;
	}

	/**
	 * Only once a copy was not stored: the count, the messages held for their back-off,
	 * and the last reason with the setting to fix.
	 */
	private static void addParkingFailures(Health.Builder builder, RabbitClientStatus status) {
		ParkingFailure last = status.lastParkingFailure();
		if (last != null) {
			builder.withDetail("parkingFailures", Map.of("count", status.parkingFailures(), "held",
					status.deliveriesHeldUnparked(), "lastAt", last.at().toString(), "lastReason", last.reason()));
		}
	}

	/**
	 * Only once the broker closed a consumer's channel for a consumer timeout: when, the
	 * queue, the timeout the broker used and its words. UP all the same: the consumer is
	 * restarted and the message redelivered.
	 */
	private static void addConsumerTimeout(Health.Builder builder, RabbitClientStatus status) {
		ConsumerTimeout timeout = status.lastConsumerTimeout();
		if (timeout != null) {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("at", timeout.at().toString());
			details.put("queue", timeout.queue());
			Duration used = timeout.timeout();
			if (used != null) {
				details.put("timeoutMs", used.toMillis());
			}
			details.put("reason", timeout.reason());
			builder.withDetail("lastConsumerTimeout", details);
		}
	}

	private static void addLastFailure(Health.Builder builder, RabbitClientStatus status) {
		ConnectionFailure failure = status.lastConnectionFailure();
		if (failure != null) {
			builder.withDetail("lastConnectionFailure",
					Map.of("at", failure.at().toString(), "reason", failure.reason()));
		}
	}

}
