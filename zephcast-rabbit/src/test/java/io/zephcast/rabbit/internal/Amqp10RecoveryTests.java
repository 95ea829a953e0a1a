package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.AckFailedException;
import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * AMQP 1.0 consumption across a connection the broker closes (as an operator would): what
 * the old links delivered cannot be settled and comes again, redelivered, and the links
 * come back. Closes connections: run under {@code flock -x}.
 */
class Amqp10RecoveryTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private Amqp10TestBroker broker;

	@BeforeEach
	void connect() {
		this.broker = new Amqp10TestBroker();
	}

	@AfterEach
	void close() {
		this.broker.close();
	}

	@Test
	void aMessageOfALostLinkCannotBeAckedAndComesAgainRedelivered() throws Exception {
		String queue = this.broker.queue("-recovery");
		this.broker.publish(queue, 3);
		Amqp10Consumption consumption = this.broker
			.consumption(this.broker.config(queue).prefetchCount(1).concurrency(2).build());
		consumption.start(this.broker.connection, Amqp10Consumption.Mode.PULL, null);
		assertThat(consumption.consumersRunning()).isEqualTo(2);
		RabbitMessage held = consumption.poll(WAIT).orElseThrow();
		assertThat(held.redelivered()).isFalse();

		// the management API lists a new connection after a moment
		await().atMost(WAIT)
			.until(() -> RabbitBroker.management().connectionNames().contains(this.broker.connectionName));
		assertThat(RabbitBroker.management().closeConnections(this.broker.connectionName)).isEqualTo(1);
		await().atMost(WAIT)
			.until(() -> consumption.consumersRunning() < 2
					|| !RabbitBroker.management().connectionNames().contains(this.broker.connectionName));

		assertThatThrownBy(() -> consumption.ack(held)).isInstanceOf(AckFailedException.class)
			.hasMessageContaining(String.valueOf(held.messageId()))
			.hasMessageContaining("redelivered");
		assertThat(held.isSettled()).isTrue();

		await().atMost(WAIT).until(() -> consumption.consumersRunning() == 2);
		// every message comes again, the one held among them flagged redelivered
		java.util.Map<String, Boolean> redelivered = new java.util.HashMap<>();
		while (redelivered.size() < 3) {
			RabbitMessage message = consumption.poll(WAIT).orElseThrow();
			redelivered.merge(message.messageId(), message.redelivered(), Boolean::logicalOr);
			consumption.ack(message);
		}
		assertThat(redelivered).containsEntry(held.messageId(), true);
		await().atMost(WAIT).until(() -> RabbitBroker.readyMessages(queue) == 0);
		assertThat(consumption.poll(Duration.ofMillis(500))).isEmpty();
		consumption.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
	}

}
