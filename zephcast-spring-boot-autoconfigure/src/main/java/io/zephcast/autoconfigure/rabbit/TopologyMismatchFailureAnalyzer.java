package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.TopologyMismatchException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a start-up that failed because the broker refused a declaration, naming the
 * property to change.
 */
class TopologyMismatchFailureAnalyzer extends AbstractFailureAnalyzer<TopologyMismatchException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TopologyMismatchException cause) {
		return new FailureAnalysis(cause.getMessage(), "Set " + ZephcastPropertyNames.of(cause.setting())
				+ " to match what exists on the broker, or delete the existing exchange or queue.", cause);
	}

}
