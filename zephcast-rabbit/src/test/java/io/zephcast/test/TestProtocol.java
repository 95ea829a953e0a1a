package io.zephcast.test;

import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitConfig;

/**
 * The protocol the broker tests speak: {@code zephcast.test.protocol}
 * ({@code ZEPHCAST_TEST_PROTOCOL}), {@code amqp-0-9-1} by default. The build runs the
 * contract, poison, consumer-group and recovery tests a second time with {@code amqp-1-0}
 * on RabbitMQ 4.0, so that both protocols are held to the same tests rather than to
 * copies of them.
 */
public final class TestProtocol {

	private TestProtocol() {
	}

	/**
	 * The protocol under test.
	 * @return the protocol
	 */
	public static Protocol current() {
		return Protocol.of(BrokerSettings.setting("zephcast.test.protocol", "amqp-0-9-1", "ZEPHCAST_TEST_PROTOCOL"));
	}

	/**
	 * Whether the tests speak AMQP 1.0.
	 * @return whether the protocol under test is AMQP 1.0
	 */
	public static boolean isAmqp10() {
		return current() == Protocol.AMQP_1_0;
	}

	/**
	 * A configuration builder for the broker under test, in the protocol under test.
	 * @return the builder, with the URL and protocol set
	 */
	public static RabbitConfig.Builder config() {
		return RabbitConfig.builder().url(RabbitBroker.url()).protocol(current());
	}

}
