package io.zephcast.quickstart;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.annotation.DirtiesContext.ClassMode;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quickstart against a real broker (the one {@link RabbitBroker} finds, or a failure
 * saying how to start one), on an exchange and a queue of its own: the context starts
 * only once the sender's messages were confirmed and the handler saw all of them, and
 * what the handler got is what was sent. Once the context is closed, as {@code main}
 * closes it, the queue is empty: every message was acked.
 */
@SpringBootTest
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext(classMode = ClassMode.AFTER_EACH_TEST_METHOD)
class QuickstartApplicationTests {

	private static final String NAME = "zc-quickstart-test-" + UUID.randomUUID().toString().substring(0, 8);

	private static final Pattern LINE = Pattern.compile("(?m)^(Sent|Handled): +(.+)$");

	@DynamicPropertySource
	static void broker(DynamicPropertyRegistry registry) {
		registry.add("zephcast.rabbit.url", RabbitBroker::url);
		registry.add("zephcast.rabbit.exchange-name", () -> NAME);
		registry.add("zephcast.rabbit.queue-name", () -> NAME);
	}

	@Test
	void handlesExactlyTheMessagesItSentAndLeavesTheQueueEmpty(CapturedOutput output) {
		List<String> expected = List.of("Hello #1", "Hello #2", "Hello #3");
		assertThat(printed(output, "Sent")).containsExactlyElementsOf(expected);
		assertThat(printed(output, "Handled")).containsExactlyInAnyOrderElementsOf(expected);
	}

	// after the context closed (@DirtiesContext, after the test method), as main closes
	// it
	@AfterAll
	static void everyMessageWasAcked() {
		try {
			assertThat(RabbitBroker.readyMessages(NAME)).as("messages left in the queue").isZero();
		}
		finally {
			RabbitBroker.delete(RabbitBroker.withClientQueues(NAME), List.of(NAME));
		}
	}

	private static List<String> printed(CapturedOutput output, String what) {
		Matcher line = LINE.matcher(output.getOut());
		List<String> texts = new ArrayList<>();
		while (line.find()) {
			if (line.group(1).equals(what)) {
				texts.add(line.group(2));
			}
		}
		return texts;
	}

}
