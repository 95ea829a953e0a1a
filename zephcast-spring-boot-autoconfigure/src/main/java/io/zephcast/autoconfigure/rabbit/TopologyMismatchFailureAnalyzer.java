package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.TopologyMismatchException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed because the broker refused a declaration, or (a
 * {@link BrokerCompatibilityException}) its version does not support a setting, naming
 * the property to change.
 */
class TopologyMismatchFailureAnalyzer extends AbstractFailureAnalyzer<TopologyMismatchException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TopologyMismatchException cause) {
		if (cause instanceof BrokerCompatibilityException compatibility) {
			return new FailureAnalysis(cause.getMessage(),
					"Change " + ZephcastPropertyNames.of(cause.setting()) + " as the description says: RabbitMQ "
							+ compatibility.brokerVersion() + " removed or deprecates what it is set to.",
					cause);
		}
		return new FailureAnalysis(cause.getMessage(), "Set " + ZephcastPropertyNames.of(cause.setting())
				+ " to match what exists on the broker, or delete the existing exchange or queue.", cause);
	}

}
