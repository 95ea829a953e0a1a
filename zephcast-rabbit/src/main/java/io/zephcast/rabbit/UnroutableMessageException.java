package io.zephcast.rabbit;

/**
 * The broker returned a message because no queue is bound that matches its routing key
 * (or the exchange has no queue at all). It was not stored anywhere.
 */
public class UnroutableMessageException extends SendFailedException {

	private final String exchange;

	private final String routingKey;

	public UnroutableMessageException(String messageId, String exchange, String routingKey, int replyCode,
			String replyText) {
		super("Message " + messageId + " to exchange '" + exchange + "' with routing key '" + routingKey
				+ "' was returned unroutable (" + replyCode + " " + replyText
				+ "): no queue is bound to that exchange with a matching key", messageId, Reason.UNROUTABLE, null);
		this.exchange = exchange;
		this.routingKey = routingKey;
	}

	/**
	 * The exchange the message was sent to; empty for the default exchange.
	 * @return the exchange name
	 */
	public String exchange() {
		return this.exchange;
	}

	public String routingKey() {
		return this.routingKey;
	}

}
