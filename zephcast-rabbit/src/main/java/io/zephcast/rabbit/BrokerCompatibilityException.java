package io.zephcast.rabbit;

/**
 * The broker's version removed or deprecates a setting the client uses: RabbitMQ 4.x
 * refuses (or will refuse) it, so the client refuses it at start-up instead of letting it
 * fail later or behave differently. {@link #setting()} names the setting to change, and
 * the message what to use instead. On RabbitMQ 3.x the same settings only log a warning.
 */
public class BrokerCompatibilityException extends TopologyMismatchException {

	private final String brokerVersion;

	/**
	 * An exception naming the setting and the broker's version.
	 * @param message what is wrong and what to use instead
	 * @param setting the {@link RabbitConfig} setting to change
	 * @param brokerVersion the broker's version
	 */
	public BrokerCompatibilityException(String message, String setting, String brokerVersion) {
		super(message, setting, null);
		this.brokerVersion = brokerVersion;
	}

	/**
	 * The version of the broker that does not support the setting.
	 * @return the version as the broker spells it, e.g. {@code 4.0.5}
	 */
	public String brokerVersion() {
		return this.brokerVersion;
	}

}
