package io.zephcast.rabbit.internal;

import java.nio.charset.StandardCharsets;

import io.zephcast.rabbit.MessageHeaders;
import io.zephcast.rabbit.RabbitMessage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.MessageProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RabbitMessage} on its own, no broker: what it says about itself.
 */
class RabbitMessageTests {

	@Test
	void toStringDescribesTheMessageWithoutItsBody() {
		MessageProperties properties = new MessageProperties();
		properties.setMessageId("order-42");
		properties.setReceivedRoutingKey("orders.created");
		properties.setConsumerQueue("orders");
		properties.setRedelivered(true);
		RabbitMessage message = message("{\"card\":\"4111-1111-1111-1111\"}", properties);

		String text = message.toString();

		assertThat(text).doesNotContain("4111").doesNotContain("card");
		assertThat(text).isEqualTo("RabbitMessage[id=order-42, routingKey=orders.created, queue=orders, "
				+ "size=30 bytes, attempt=1, redelivered=true]");
		assertThat("Received: " + message).doesNotContain("4111");
	}

	@Test
	void toStringOfARetriedCopyGivesItsOriginalRoutingKeyAndAttempt() {
		MessageProperties properties = new MessageProperties();
		properties.setReceivedRoutingKey("orders.retry.1000");
		properties.setHeader(MessageHeaders.ORIGINAL_EXCHANGE, "orders-exchange");
		properties.setHeader(MessageHeaders.ORIGINAL_ROUTING_KEY, "orders.created");
		properties.setRetryCount(2);
		RabbitMessage message = message("secret", properties);

		assertThat(message.toString()).doesNotContain("secret")
			.contains("routingKey=orders.created")
			.contains("size=6 bytes")
			.contains("attempt=3");
	}

	private static RabbitMessage message(String body, MessageProperties properties) {
		// no channel: the message is never settled here
		Settlement delivery = new Settlement(new Object(), null, 1, () -> {
		}, DeliveryListener.NONE, null);
		return new ReceivedMessage(body.getBytes(StandardCharsets.UTF_8), properties,
				new PayloadCodec(JsonMapper.builder().build()), delivery);
	}

}
