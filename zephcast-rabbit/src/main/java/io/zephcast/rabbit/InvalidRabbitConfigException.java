package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link RabbitConfig.Builder#build()} for a value that cannot work. The
 * message and {@link #setting()} name the offending setting.
 */
public class InvalidRabbitConfigException extends IllegalArgumentException {

	private final String setting;

	private final @Nullable Object value;

	private final String reason;

	/**
	 * A setting that cannot work.
	 * @param setting the setting's name, as the builder names it, e.g.
	 * {@code prefetchCount}
	 * @param value the value refused; never a password
	 * @param reason why it cannot work
	 */
	public InvalidRabbitConfigException(String setting, @Nullable Object value, String reason) {
		super("Invalid RabbitConfig." + setting + " " + describe(value) + ": " + reason);
		this.setting = setting;
		this.value = value;
		this.reason = reason;
	}

	private static String describe(@Nullable Object value) {
		return (value != null) ? "'" + value + "'" : "(not set)";
	}

	/**
	 * The name of the invalid setting, as named on {@link RabbitConfig.Builder} (e.g.
	 * {@code prefetchCount}).
	 * @return the setting name
	 */
	public String setting() {
		return this.setting;
	}

	/**
	 * The rejected value, with any credentials already masked.
	 * @return the value, or {@code null} when it was missing
	 */
	public @Nullable Object value() {
		return this.value;
	}

	/**
	 * Why the value was refused and what is allowed.
	 * @return the reason
	 */
	public String reason() {
		return this.reason;
	}

}
