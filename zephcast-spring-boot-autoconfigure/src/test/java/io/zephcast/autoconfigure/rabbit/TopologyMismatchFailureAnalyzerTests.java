package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.BrokerCompatibilityException;
import io.zephcast.rabbit.TopologyMismatchException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Spring Boot user reads when the broker refuses the topology, or its version a
 * setting.
 */
class TopologyMismatchFailureAnalyzerTests {

	private final TopologyMismatchFailureAnalyzer analyzer = new TopologyMismatchFailureAnalyzer(null, null);

	@Test
	void aMismatchNamesThePropertyToMatch() {
		FailureAnalysis analysis = this.analyzer
			.analyze(new IllegalStateException(new TopologyMismatchException("exists", "autoDelete", null)));
		assertThat(analysis.getAction()).startsWith("Set zephcast.rabbit.auto-delete to match");
	}

	@Test
	void aSettingTheBrokersVersionDoesNotSupportNamesThePropertyToChangeAndTheVersion() {
		FailureAnalysis analysis = this.analyzer.analyze(new IllegalStateException(
				new BrokerCompatibilityException("durable=false: set durable=true", "durable", "4.0.5")));
		assertThat(analysis.getDescription()).isEqualTo("durable=false: set durable=true");
		assertThat(analysis.getAction())
			.isEqualTo("Change zephcast.rabbit.durable as the description says: RabbitMQ 4.0.5 removed or "
					+ "deprecates what it is set to.");
	}

}
