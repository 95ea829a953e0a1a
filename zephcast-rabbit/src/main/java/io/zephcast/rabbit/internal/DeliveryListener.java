package io.zephcast.rabbit.internal;

import io.zephcast.rabbit.DeliveryOutcome;

/**
 * Told how a delivered message was settled, once per delivery, by {@link Settlement}; the
 * client's meters and observations listen.
 */
interface DeliveryListener {

	/**
	 * Listens to nothing: what every delivery gets when meters and observations are off.
	 */
	DeliveryListener NONE = (outcome) -> {
	};

	/**
	 * The message was settled.
	 * @param outcome how
	 */
	void settled(DeliveryOutcome outcome);

}
