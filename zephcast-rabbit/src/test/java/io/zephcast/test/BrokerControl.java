package io.zephcast.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Operator actions on the broker under test through {@code rabbitmqctl}: stopping and
 * starting the RabbitMQ application, closing connections, raising a memory alarm. The
 * command that reaches that broker's node comes from
 * {@link BrokerSettings#rabbitmqctl()}.
 */
public final class BrokerControl {

	private BrokerControl() {
	}

	public static void stopApp() {
		rabbitmqctl("stop_app");
	}

	public static void startApp() {
		rabbitmqctl("start_app");
		rabbitmqctl("await_startup");
	}

	/**
	 * Makes the broker raise its memory alarm, which blocks every publishing connection.
	 */
	public static void raiseMemoryAlarm() {
		rabbitmqctl("set_vm_memory_high_watermark", "0.000001");
	}

	public static void clearMemoryAlarm() {
		rabbitmqctl("set_vm_memory_high_watermark", "0.4");
	}

	/**
	 * Runs rabbitmqctl against the broker under test's node.
	 * @param arguments the command and its arguments
	 * @return what it printed
	 */
	public static String rabbitmqctl(String... arguments) {
		List<String> command = new ArrayList<>(BrokerSettings.rabbitmqctl());
		command.add("-q");
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			if (!process.waitFor(120, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " timed out");
			}
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.exitValue() != 0) {
				throw new IllegalStateException("rabbitmqctl " + String.join(" ", arguments) + " failed ("
						+ process.exitValue() + "): " + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException(
					"These tests restart the broker with " + String.join(" ", BrokerSettings.rabbitmqctl())
							+ ", which cannot be run: run them on the machine that runs RabbitMQ (bash .ci/run "
							+ "sets it up) or name the command in zephcast.test.broker.rabbitmqctl",
					ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
