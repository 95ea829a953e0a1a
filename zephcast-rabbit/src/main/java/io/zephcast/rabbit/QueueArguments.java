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
 * <p>
 * Immutable and valid: build one with {@link #builder()}; {@link Builder#build()} refuses
 * values that cannot work, naming the setting ({@link InvalidRabbitConfigException}).
 */
public final class QueueArguments {

	/** The arguments that have a setting of their own, and that setting. */
	private static final Map<String, String> TYPED = Map.of("x-queue-type", "queueType", "x-message-ttl",
			"queue.messageTtl", "x-max-length", "queue.maxLength", "x-max-length-bytes", "queue.maxLengthBytes",
			"x-overflow", "queue.overflow", "x-single-active-consumer", "queue.singleActiveConsumer",
			"x-dead-letter-exchange", "queue.deadLetterExchange", "x-dead-letter-routing-key",
			"queue.deadLetterRoutingKey", "x-delivery-limit", "queue.deliveryLimit");

	/** No arguments: the broker's defaults. */
	public static final QueueArguments NONE = builder().build();

	private static final long MAX_TTL_MILLIS = 0xFFFF_FFFFL;

	private final @Nullable Duration messageTtl;

	private final @Nullable Long maxLength;

	private final @Nullable Long maxLengthBytes;

	private final @Nullable QueueOverflow overflow;

	private final boolean singleActiveConsumer;

	private final String deadLetterExchange;

	private final String deadLetterRoutingKey;

	private final @Nullable Integer deliveryLimit;

	private final Map<String, Object> arguments;

	private QueueArguments(Builder builder) {
		this.messageTtl = builder.messageTtl;
		this.maxLength = builder.maxLength;
		this.maxLengthBytes = builder.maxLengthBytes;
		this.overflow = builder.overflow;
		this.singleActiveConsumer = builder.singleActiveConsumer;
		this.deadLetterExchange = builder.deadLetterExchange;
		this.deadLetterRoutingKey = builder.deadLetterRoutingKey;
		this.deliveryLimit = builder.deliveryLimit;
		this.arguments = Collections.unmodifiableMap(new LinkedHashMap<>(builder.arguments));
		check();
	}

	private void check() {
		Duration messageTtl = this.messageTtl;
		if (messageTtl != null && (messageTtl.isNegative() || messageTtl.toMillis() > MAX_TTL_MILLIS)) {
			throw new InvalidRabbitConfigException("queue.messageTtl", messageTtl,
					"must be between 0 and " + MAX_TTL_MILLIS + " ms");
		}
		checkNotNegative("queue.maxLength", this.maxLength);
		checkNotNegative("queue.maxLengthBytes", this.maxLengthBytes);
		checkNotNegative("queue.deliveryLimit", this.deliveryLimit);
		if (this.deadLetterExchange.isEmpty() && !this.deadLetterRoutingKey.isEmpty()) {
			throw new InvalidRabbitConfigException("queue.deadLetterRoutingKey", this.deadLetterRoutingKey,
					"needs queue.deadLetterExchange (RabbitMQ ignores a dead-letter routing key without one)");
		}
		for (String name : this.arguments.keySet()) {
			String typed = TYPED.get(name);
			if (typed != null) {
				throw new InvalidRabbitConfigException("queue.arguments", name,
						"has its own setting: use " + typed + " instead, so that it is checked and documented");
			}
		}
	}

	private static void checkNotNegative(String setting, @Nullable Number value) {
		if (value != null && value.longValue() < 0) {
			throw new InvalidRabbitConfigException(setting, value, "must not be negative");
		}
	}

	/**
	 * How long a message may stay in the queue before it is dropped or dead-lettered
	 * ({@code x-message-ttl}).
	 * @return the TTL, or {@code null} when not set
	 */
	public @Nullable Duration messageTtl() {
		return this.messageTtl;
	}

	/**
	 * How many ready messages the queue holds at most ({@code x-max-length}).
	 * @return the limit, or {@code null} when not set
	 */
	public @Nullable Long maxLength() {
		return this.maxLength;
	}

	/**
	 * How many bytes of ready message bodies the queue holds at most
	 * ({@code x-max-length-bytes}).
	 * @return the limit, or {@code null} when not set
	 */
	public @Nullable Long maxLengthBytes() {
		return this.maxLengthBytes;
	}

	/**
	 * What happens at the length limit ({@code x-overflow}).
	 * @return the behaviour, or {@code null} when not set
	 */
	public @Nullable QueueOverflow overflow() {
		return this.overflow;
	}

	/**
	 * Whether only one consumer of the queue gets messages at a time, the others standing
	 * by in order ({@code x-single-active-consumer}).
	 * @return whether the argument is sent
	 */
	public boolean singleActiveConsumer() {
		return this.singleActiveConsumer;
	}

	/**
	 * Where the broker (and the client, after the last attempt) sends dead letters
	 * ({@code x-dead-letter-exchange}).
	 * @return the exchange, empty for none
	 */
	public String deadLetterExchange() {
		return this.deadLetterExchange;
	}

	/**
	 * The routing key dead letters get ({@code x-dead-letter-routing-key}).
	 * @return the key, empty to keep their own
	 */
	public String deadLetterRoutingKey() {
		return this.deadLetterRoutingKey;
	}

	/**
	 * After how many redeliveries a quorum queue drops or dead-letters a message
	 * ({@code x-delivery-limit}); quorum queues only.
	 * @return the limit, or {@code null} when not set
	 */
	public @Nullable Integer deliveryLimit() {
		return this.deliveryLimit;
	}

	/**
	 * Any other queue argument, by its {@code x-} name.
	 * @return the arguments, unmodifiable
	 */
	public Map<String, Object> arguments() {
		return this.arguments;
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
	 * A builder that starts from these arguments.
	 * @return a new builder holding these values
	 */
	public Builder toBuilder() {
		return new Builder().messageTtl(this.messageTtl)
			.maxLength(this.maxLength)
			.maxLengthBytes(this.maxLengthBytes)
			.overflow(this.overflow)
			.singleActiveConsumer(this.singleActiveConsumer)
			.deadLetterExchange(this.deadLetterExchange)
			.deadLetterRoutingKey(this.deadLetterRoutingKey)
			.deliveryLimit(this.deliveryLimit)
			.arguments(this.arguments);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other) || (other instanceof QueueArguments that
				&& Objects.equals(this.messageTtl, that.messageTtl) && Objects.equals(this.maxLength, that.maxLength)
				&& Objects.equals(this.maxLengthBytes, that.maxLengthBytes) && this.overflow == that.overflow
				&& this.singleActiveConsumer == that.singleActiveConsumer
				&& this.deadLetterExchange.equals(that.deadLetterExchange)
				&& this.deadLetterRoutingKey.equals(that.deadLetterRoutingKey)
				&& Objects.equals(this.deliveryLimit, that.deliveryLimit) && this.arguments.equals(that.arguments));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.messageTtl, this.maxLength, this.maxLengthBytes, this.overflow,
				this.singleActiveConsumer, this.deadLetterExchange, this.deadLetterRoutingKey, this.deliveryLimit,
				this.arguments);
	}

	@Override
	public String toString() {
		return "QueueArguments[messageTtl=" + this.messageTtl + ", maxLength=" + this.maxLength + ", maxLengthBytes="
				+ this.maxLengthBytes + ", overflow=" + this.overflow + ", singleActiveConsumer="
				+ this.singleActiveConsumer + ", deadLetterExchange=" + this.deadLetterExchange
				+ ", deadLetterRoutingKey=" + this.deadLetterRoutingKey + ", deliveryLimit=" + this.deliveryLimit
				+ ", arguments=" + this.arguments + "]";
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

		/**
		 * How long a message may stay in the queue ({@code x-message-ttl}).
		 * @param messageTtl 0 to 2^32-1 ms, or {@code null} for none
		 * @return this builder
		 */
		public Builder messageTtl(@Nullable Duration messageTtl) {
			this.messageTtl = messageTtl;
			return this;
		}

		/**
		 * How many ready messages the queue holds at most ({@code x-max-length}).
		 * @param maxLength zero or more, or {@code null} for no limit
		 * @return this builder
		 */
		public Builder maxLength(@Nullable Long maxLength) {
			this.maxLength = maxLength;
			return this;
		}

		/**
		 * How many bytes of ready bodies the queue holds at most
		 * ({@code x-max-length-bytes}).
		 * @param maxLengthBytes zero or more, or {@code null} for no limit
		 * @return this builder
		 */
		public Builder maxLengthBytes(@Nullable Long maxLengthBytes) {
			this.maxLengthBytes = maxLengthBytes;
			return this;
		}

		/**
		 * What happens at the length limit ({@code x-overflow}).
		 * @param overflow the behaviour, or {@code null} for the broker's default
		 * @return this builder
		 */
		public Builder overflow(@Nullable QueueOverflow overflow) {
			this.overflow = overflow;
			return this;
		}

		/**
		 * Whether one consumer at a time gets messages
		 * ({@code x-single-active-consumer}).
		 * @param singleActiveConsumer true to send the argument
		 * @return this builder
		 */
		public Builder singleActiveConsumer(boolean singleActiveConsumer) {
			this.singleActiveConsumer = singleActiveConsumer;
			return this;
		}

		/**
		 * Where dead letters go ({@code x-dead-letter-exchange}).
		 * @param deadLetterExchange the exchange, empty or {@code null} for none
		 * @return this builder
		 */
		public Builder deadLetterExchange(@Nullable String deadLetterExchange) {
			this.deadLetterExchange = (deadLetterExchange != null) ? deadLetterExchange : "";
			return this;
		}

		/**
		 * The routing key dead letters get ({@code x-dead-letter-routing-key}); needs a
		 * dead-letter exchange.
		 * @param deadLetterRoutingKey the key, empty or {@code null} to keep their own
		 * @return this builder
		 */
		public Builder deadLetterRoutingKey(@Nullable String deadLetterRoutingKey) {
			this.deadLetterRoutingKey = (deadLetterRoutingKey != null) ? deadLetterRoutingKey : "";
			return this;
		}

		/**
		 * After how many redeliveries a quorum queue gives up on a message
		 * ({@code x-delivery-limit}).
		 * @param deliveryLimit zero or more, or {@code null} for the broker's default
		 * @return this builder
		 */
		public Builder deliveryLimit(@Nullable Integer deliveryLimit) {
			this.deliveryLimit = deliveryLimit;
			return this;
		}

		/**
		 * Any other queue arguments, replacing those set before; an argument with a
		 * setting of its own is refused.
		 * @param arguments by {@code x-} name
		 * @return this builder
		 */
		public Builder arguments(Map<String, ?> arguments) {
			this.arguments.clear();
			this.arguments.putAll(arguments);
			return this;
		}

		/**
		 * One other queue argument; an argument with a setting of its own is refused.
		 * @param name the {@code x-} name
		 * @param value the value
		 * @return this builder
		 */
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
			return new QueueArguments(this);
		}

	}

}
