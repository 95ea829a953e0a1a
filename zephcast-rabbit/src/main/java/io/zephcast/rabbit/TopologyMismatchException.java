package io.zephcast.rabbit;

import org.jspecify.annotations.Nullable;

/**
 * The broker refused to declare an exchange, queue or binding, typically because one of
 * the same name already exists with other settings ({@code PRECONDITION_FAILED -
 * inequivalent arg}). {@link #setting()} names the {@link RabbitConfig} setting to
 * change.
 */
public class TopologyMismatchException extends RabbitClientException {

	private final String setting;

	public TopologyMismatchException(String message, String setting, @Nullable Throwable cause) {
		super(message, cause);
		this.setting = setting;
	}

	/**
	 * The {@link RabbitConfig} setting that disagrees with the broker, e.g.
	 * {@code durable} or {@code exchangeType}.
	 * @return the setting name
	 */
	public String setting() {
		return this.setting;
	}

}
