package io.zephcast.rabbit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The optional arguments of the queue a {@link RabbitClient} declares, typed: each
 * becomes one {@code x-} argument of the declaration. Unset ({@code null}, {@code false}
 * or empty) means the argument is not sent, so the broker's default (or policy) applies.
 *
 * @param messageTtl how long a message may stay in the queue before it is dropped or
 * dead-lettered ({@code x-message-ttl})
 * @param maxLength how many ready messages the queue holds at most ({@code x-max-length})
 * @param maxLengthBytes how many bytes of ready message bodies the queue holds at most
 * ({@code x-max-length-bytes})
 * @param overflow what happens at the limit ({@code x-overflow})
 * @param singleActiveConsumer whether only one consumer of the queue gets messages at a
 * time, the others standing by in order ({@code x-single-active-consumer})
 * @param deadLetterExchange where the broker (and the client, after the last attempt)
 * sends dead letters ({@code x-dead-letter-exchange}); empty for none
 * @param deadLetterRoutingKey the routing key dead letters get; empty to keep their own
 * ({@code x-dead-letter-routing-key})
 * @param deliveryLimit after how many redeliveries a quorum queue drops or dead-letters a
 * message ({@code x-delivery-limit}); quorum queues only
 * @param arguments any other queue argument, by its {@code x-} name
 */
public record QueueArguments(@Nullable Duration messageTtl, @Nullable Long maxLength, @Nullable Long maxLengthBytes,
		@Nullable QueueOverflow overflow, boolean singleActiveConsumer, String deadLetterExchange,
		String deadLetterRoutingKey, @Nullable Integer deliveryLimit, Map<String, Object> arguments) {

	/** The arguments that have a setting of their own, and that setting. */
	private static final Map<String, String> TYPED = Map.of("x-queue-type", "queueType", "x-message-ttl",
			"queue.messageTtl", "x-max-length", "queue.maxLength", "x-max-length-bytes", "queue.maxLengthBytes",
			"x-overflow", "queue.overflow", "x-single-active-consumer", "queue.singleActiveConsumer",
			"x-dead-letter-exchange", "queue.deadLetterExchange", "x-dead-letter-routing-key",
			"queue.deadLetterRoutingKey", "x-delivery-limit", "queue.deliveryLimit");

	/** No arguments: the broker's defaults. */
	public static final QueueArguments NONE = builder().build();

	private static final long MAX_TTL_MILLIS = 0xFFFF_FFFFL;

	/**
	 * Validates the arguments.
	 * @throws InvalidRabbitConfigException naming the first argument that cannot work
	 */
	public QueueArguments {
		Objects.requireNonNull(deadLetterExchange, "deadLetterExchange");
		Objects.requireNonNull(deadLetterRoutingKey, "deadLetterRoutingKey");
		arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
		if (messageTtl != null && (messageTtl.isNegative() || messageTtl.toMillis() > MAX_TTL_MILLIS)) {
			throw new InvalidRabbitConfigException("queue.messageTtl", messageTtl,
					"must be between 0 and " + MAX_TTL_MILLIS + " ms");
		}
		if (maxLength != null && maxLength < 0) {
			throw new InvalidRabbitConfigException("queue.maxLength", maxLength, "must not be negative");
		}
		if (maxLengthBytes != null && maxLengthBytes < 0) {
			throw new InvalidRabbitConfigException("queue.maxLengthBytes", maxLengthBytes, "must not be negative");
		}
		if (deliveryLimit != null && deliveryLimit < 0) {
			throw new InvalidRabbitConfigException("queue.deliveryLimit", deliveryLimit, "must not be negative");
		}
		if (deadLetterExchange.isEmpty() && !deadLetterRoutingKey.isEmpty()) {
			throw new InvalidRabbitConfigException("queue.deadLetterRoutingKey", deadLetterRoutingKey,
					"needs queue.deadLetterExchange (RabbitMQ ignores a dead-letter routing key without one)");
		}
		for (String name : arguments.keySet()) {
			String typed = TYPED.get(name);
			if (typed != null) {
				throw new InvalidRabbitConfigException("queue.arguments", name,
						"has its own setting: use " + typed + " instead, so that it is checked and documented");
			}
		}
	}

	/**
	 * The setting of an {@code x-} argument, for error messages.
	 * @param argument the argument name, e.g. {@code x-max-length}
	 * @return the setting, e.g. {@code queue.maxLength}, or {@code queue.arguments}
	 */
	public static String settingOf(String argument) {
		return TYPED.getOrDefault(argument, "queue.arguments");
	}

	/**
	 * Whether a dead-letter exchange is set, the default exchange ({@code ""}) excluded.
	 * @return whether dead letters have a configured exchange
	 */
	public boolean hasDeadLetterExchange() {
		return !this.deadLetterExchange.isEmpty();
	}

	/**
	 * The declaration arguments of a queue of the given type.
	 * @param type the queue type; {@code x-queue-type} is sent for quorum queues only, so
	 * that classic queues declared before the setting existed still match
	 * @return the {@code x-} arguments
	 */
	public Map<String, Object> toArguments(QueueType type) {
		Map<String, Object> result = new LinkedHashMap<>();
		if (type == QueueType.QUORUM) {
			result.put("x-queue-type", type.value());
		}
		if (this.messageTtl != null) {
			result.put("x-message-ttl", this.messageTtl.toMillis());
		}
		if (this.maxLength != null) {
			result.put("x-max-length", this.maxLength);
		}
		if (this.maxLengthBytes != null) {
			result.put("x-max-length-bytes", this.maxLengthBytes);
		}
		if (this.overflow != null) {
			result.put("x-overflow", this.overflow.value());
		}
		if (this.singleActiveConsumer) {
			result.put("x-single-active-consumer", true);
		}
		if (this.hasDeadLetterExchange()) {
			result.put("x-dead-letter-exchange", this.deadLetterExchange);
		}
		if (!this.deadLetterRoutingKey.isEmpty()) {
			result.put("x-dead-letter-routing-key", this.deadLetterRoutingKey);
		}
		if (this.deliveryLimit != null) {
			result.put("x-delivery-limit", this.deliveryLimit);
		}
		result.putAll(this.arguments);
		return result;
	}

	/**
	 * A builder with nothing set.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Builds {@link QueueArguments}.
	 */
	public static final class Builder {

		private @Nullable Duration messageTtl;

		private @Nullable Long maxLength;

		private @Nullable Long maxLengthBytes;

		private @Nullable QueueOverflow overflow;

		private boolean singleActiveConsumer;

		private String deadLetterExchange = "";

		private String deadLetterRoutingKey = "";

		private @Nullable Integer deliveryLimit;

		private final Map<String, Object> arguments = new LinkedHashMap<>();

		private Builder() {
		}

		public Builder messageTtl(@Nullable Duration messageTtl) {
			this.messageTtl = messageTtl;
			return this;
		}

		public Builder maxLength(@Nullable Long maxLength) {
			this.maxLength = maxLength;
			return this;
		}

		public Builder maxLengthBytes(@Nullable Long maxLengthBytes) {
			this.maxLengthBytes = maxLengthBytes;
			return this;
		}

		public Builder overflow(@Nullable QueueOverflow overflow) {
			this.overflow = overflow;
			return this;
		}

		public Builder singleActiveConsumer(boolean singleActiveConsumer) {
			this.singleActiveConsumer = singleActiveConsumer;
			return this;
		}

		public Builder deadLetterExchange(@Nullable String deadLetterExchange) {
			this.deadLetterExchange = (deadLetterExchange != null) ? deadLetterExchange : "";
			return this;
		}

		public Builder deadLetterRoutingKey(@Nullable String deadLetterRoutingKey) {
			this.deadLetterRoutingKey = (deadLetterRoutingKey != null) ? deadLetterRoutingKey : "";
			return this;
		}

		public Builder deliveryLimit(@Nullable Integer deliveryLimit) {
			this.deliveryLimit = deliveryLimit;
			return this;
		}

		public Builder arguments(Map<String, ?> arguments) {
			this.arguments.clear();
			this.arguments.putAll(arguments);
			return this;
		}

		public Builder argument(String name, Object value) {
			this.arguments.put(name, value);
			return this;
		}

		/**
		 * Validates and builds the arguments.
		 * @return the arguments
		 * @throws InvalidRabbitConfigException naming the first argument that cannot work
		 */
		public QueueArguments build() {
			return new QueueArguments(this.messageTtl, this.maxLength, this.maxLengthBytes, this.overflow,
					this.singleActiveConsumer, this.deadLetterExchange, this.deadLetterRoutingKey, this.deliveryLimit,
					this.arguments);
		}

	}

}
