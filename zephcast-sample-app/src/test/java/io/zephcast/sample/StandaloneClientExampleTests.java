package io.zephcast.sample;

import io.zephcast.sample.standalone.StandaloneClientExample;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The programmatic example against a real broker: the order goes out, comes back, and
 * nothing is left behind.
 */
@ExtendWith(OutputCaptureExtension.class)
class StandaloneClientExampleTests {

	@Test
	void sendsReceivesAndAcksOneOrderAndLeavesNothingBehind(CapturedOutput output) {
		StandaloneClientExample.main(new String[] { RabbitBroker.url() });

		assertThat(output.getOut())
			.contains("Sent and confirmed: OrderEvent[orderId=order-0001, type=created, customer=alice, total=19.90]")
			.contains("Received on orders.created: OrderEvent[orderId=order-0001, type=created, customer=alice, "
					+ "total=19.90]");
		// auto-delete: the queue went with its consumer when the client closed
		assertThat(RabbitBroker.management().queue("zc-sample-standalone")).isEmpty();
	}

}
