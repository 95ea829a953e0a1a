package io.zephcast.autoconfigure.rabbit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zephcast.rabbit.QueueOverflow;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * The optional arguments of a stream's queue ({@code zephcast.rabbit.queue.*}), each one
 * {@code x-} argument of the queue's declaration. Unset means the argument is not sent.
 */
public class ZephcastQueueProperties {

	/**
	 * How long a message may stay in the queue before it is dropped or dead-lettered
	 * (x-message-ttl).
	 */
	private @Nullable Duration messageTtl;

	/**
	 * Maximum number of ready messages in the queue (x-max-length).
	 */
	private @Nullable Long maxLength;

	/**
	 * Maximum total size of the ready messages' bodies (x-max-length-bytes).
	 */
	private @Nullable DataSize maxLengthBytes;

	/**
	 * What the queue does at its length limit: drop-head (drop or dead-letter the
	 * oldest), reject-publish (refuse new messages: their sends fail as nacked) or
	 * reject-publish-dlx (refuse and dead-letter them; classic queues only) (x-overflow).
	 */
	private @Nullable QueueOverflow overflow;

	/**
	 * Whether only one consumer of the queue receives messages at a time, the others
	 * standing by (x-single-active-consumer).
	 */
	private @Nullable Boolean singleActiveConsumer;

	/**
	 * Exchange that takes the queue's dead letters: the broker's (expired, over the
	 * limit) and the client's own after the last attempt (x-dead-letter-exchange). When
	 * set, no dead-letter queue is declared.
	 */
	private @Nullable String deadLetterExchange;

	/**
	 * Routing key of the dead letters; unset keeps the message's own
	 * (x-dead-letter-routing-key).
	 */
	private @Nullable String deadLetterRoutingKey;

	/**
	 * Number of redeliveries after which a quorum queue drops or dead-letters a message
	 * (x-delivery-limit). Quorum queues only.
	 */
	private @Nullable Integer deliveryLimit;

	/**
	 * Any other queue argument, by its x- name; numbers and true/false are sent as AMQP
	 * numbers and booleans. The arguments above have their own keys and are refused here.
	 */
	private final Map<String, String> arguments = new LinkedHashMap<>();

	public @Nullable Duration getMessageTtl() {
		return this.messageTtl;
	}

	public void setMessageTtl(@Nullable Duration messageTtl) {
		this.messageTtl = messageTtl;
	}

	public @Nullable Long getMaxLength() {
		return this.maxLength;
	}

	public void setMaxLength(@Nullable Long maxLength) {
		this.maxLength = maxLength;
	}

	public @Nullable DataSize getMaxLengthBytes() {
		return this.maxLengthBytes;
	}

	public void setMaxLengthBytes(@Nullable DataSize maxLengthBytes) {
		this.maxLengthBytes = maxLengthBytes;
	}

	public @Nullable QueueOverflow getOverflow() {
		return this.overflow;
	}

	public void setOverflow(@Nullable QueueOverflow overflow) {
		this.overflow = overflow;
	}

	public @Nullable Boolean getSingleActiveConsumer() {
		return this.singleActiveConsumer;
	}

	public void setSingleActiveConsumer(@Nullable Boolean singleActiveConsumer) {
		this.singleActiveConsumer = singleActiveConsumer;
	}

	public @Nullable String getDeadLetterExchange() {
		return this.deadLetterExchange;
	}

	public void setDeadLetterExchange(@Nullable String deadLetterExchange) {
		this.deadLetterExchange = deadLetterExchange;
	}

	public @Nullable String getDeadLetterRoutingKey() {
		return this.deadLetterRoutingKey;
	}

	public void setDeadLetterRoutingKey(@Nullable String deadLetterRoutingKey) {
		this.deadLetterRoutingKey = deadLetterRoutingKey;
	}

	public @Nullable Integer getDeliveryLimit() {
		return this.deliveryLimit;
	}

	public void setDeliveryLimit(@Nullable Integer deliveryLimit) {
		this.deliveryLimit = deliveryLimit;
	}

	public Map<String, String> getArguments() {
		return this.arguments;
	}

}
