package io.zephcast.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The local 3-node RabbitMQ 4.0 cluster {@code .ci/rabbitmq-cluster-up} starts beside the
 * brokers the other tests use: nodes {@code zc41..zc43@localhost} on 127.0.0.1:5695-5697,
 * run from the chroot of {@code .ci/rabbitmq4-up}, and the operator actions the cluster
 * tests inflict on them. Never the brokers on 5672 or 5690. A missing cluster fails the
 * test with what to run; it is never skipped. System properties name another cluster:
 * {@code zephcast.test.cluster.nodes} (comma-separated node names, their ports
 * consecutive), {@code zephcast.test.cluster.first-port},
 * {@code zephcast.test.cluster.rabbitmqctl} (the command, split at spaces, that runs
 * {@code rabbitmqctl}; {@code -n node@localhost} is added) and
 * {@code zephcast.cluster.dir} (the nodes' data directories, holding their pid files).
 */
public final class RabbitCluster {

	private static final String ROOT = "/var/lib/zephcast/rabbitmq4";

	/** The node names, in the order of their ports. */
	public static final List<String> NODES = List
		.of(BrokerSettings.setting("zephcast.test.cluster.nodes", "zc41,zc42,zc43").split("\\s*,\\s*"));

	private static final int FIRST_PORT = Integer
		.parseInt(BrokerSettings.setting("zephcast.test.cluster.first-port", "5695"));

	private static final List<String> RABBITMQCTL = BrokerSettings
		.words(BrokerSettings.setting("zephcast.test.cluster.rabbitmqctl", "chroot " + ROOT + " rabbitmqctl"));

	private static final String DATA = BrokerSettings.setting("zephcast.cluster.dir",
			ROOT + "/var/lib/zephcast-cluster");

	private RabbitCluster() {
	}

	/**
	 * Fails unless every node answers on its AMQP port.
	 * @throws IllegalStateException saying to run {@code .ci/rabbitmq-cluster-up}
	 */
	public static void requireUp() {
		for (String node : NODES) {
			if (!answers(port(node))) {
				throw new IllegalStateException("RabbitMQ cluster node " + node + "@localhost does not answer on "
						+ address(node) + ": run .ci/rabbitmq-cluster-up (as root) first");
			}
		}
	}

	public static int port(String node) {
		return FIRST_PORT + NODES.indexOf(node);
	}

	/**
	 * The addresses of all nodes, as a client lists them: {@code host:port,...}.
	 * @return the addresses, comma-separated, in the order of the nodes
	 */
	public static String addresses() {
		return String.join(",", addressesFrom(NODES.get(0)));
	}

	/**
	 * A node's {@code host:port}.
	 * @param node e.g. {@code zc41}
	 * @return the address
	 */
	public static String address(String node) {
		return "127.0.0.1:" + port(node);
	}

	/**
	 * The addresses of all nodes, starting with the given one and going round.
	 * @param first the node to try first
	 * @return the addresses
	 */
	public static List<String> addressesFrom(String first) {
		List<String> addresses = new ArrayList<>();
		int start = NODES.indexOf(first);
		for (int i = 0; i < NODES.size(); i++) {
			addresses.add(address(NODES.get((start + i) % NODES.size())));
		}
		return addresses;
	}

	/**
	 * The URL of a node with RabbitMQ's default user.
	 * @param node e.g. {@code zc41}
	 * @return the URL
	 */
	public static String url(String node) {
		return "amqp://guest:guest@" + address(node) + "/";
	}

	public static void stopApp(String node) {
		try {
			rabbitmqctl(node, "stop_app");
		}
		catch (IllegalStateException ex) {
			// seen once in CI right after a killed node was brought back: the CLI failed
			// reading the node's plugin list (enoent) while it was still settling; wait
			// for
			// the node to be fully up, then ask again
			rabbitmqctl(node, "await_startup");
			rabbitmqctl(node, "stop_app");
		}
	}

	public static void startApp(String node) {
		rabbitmqctl(node, "start_app");
		rabbitmqctl(node, "await_startup");
	}

	/**
	 * Kills a node's Erlang VM with SIGKILL: no goodbye to clients or peers.
	 * @param node e.g. {@code zc43}
	 */
	public static void kill(String node) {
		try {
			String pid = Files.readString(Path.of(DATA, node, node + ".pid")).trim();
			run(List.of("kill", "-9", pid));
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read the pid file of " + node + " under " + DATA, ex);
		}
	}

	/**
	 * Starts whatever is down and waits until the cluster is whole: runs
	 * {@code .ci/rabbitmq-cluster-up}, the one place that knows how a node is started.
	 */
	public static void up() {
		Path script = null;
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isExecutable(dir.resolve(".ci/rabbitmq-cluster-up"))) {
				script = dir.resolve(".ci/rabbitmq-cluster-up");
				break;
			}
		}
		if (script == null) {
			throw new IllegalStateException("No .ci/rabbitmq-cluster-up above " + Path.of("").toAbsolutePath());
		}
		run(List.of(script.toString()));
	}

	/**
	 * The node holding the leader of a quorum queue.
	 * @param queue the queue name
	 * @return the node name, e.g. {@code zc42}, or {@code null} if none is known
	 */
	public static String leaderOf(String queue) {
		for (String node : NODES) {
			try {
				String json = rabbitmqctl(node, "list_queues", "name", "leader", "--formatter", "json");
				Matcher matcher = Pattern
					.compile("\"name\":\"" + Pattern.quote(queue) + "\",\"leader\":\"([a-z0-9]+)@localhost\"")
					.matcher(json);
				if (matcher.find()) {
					return matcher.group(1);
				}
			}
			catch (IllegalStateException ex) {
				// that node is down: ask the next
			}
		}
		return null;
	}

	/**
	 * Deletes queues a test made on the cluster; missing ones are fine.
	 * @param queues the queue names
	 */
	public static void deleteQueues(String... queues) {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUsername("guest");
		factory.setPassword("guest");
		List<Address> addresses = NODES.stream().map((node) -> new Address("127.0.0.1", port(node))).toList();
		try (Connection connection = factory.newConnection(addresses, "zephcast-cluster-cleanup")) {
			for (String queue : queues) {
				try (Channel channel = connection.createChannel()) {
					channel.queueDelete(queue);
				}
			}
		}
		catch (IOException | TimeoutException ex) {
			throw new IllegalStateException("Cleanup on the cluster failed", ex);
		}
	}

	/**
	 * Runs rabbitmqctl against a node of the cluster.
	 * @param node e.g. {@code zc41}
	 * @param arguments the command and its arguments
	 * @return what it printed
	 */
	public static String rabbitmqctl(String node, String... arguments) {
		List<String> command = new ArrayList<>(RABBITMQCTL);
		command.addAll(List.of("-q", "-n", node + "@localhost"));
		command.addAll(List.of(arguments));
		return run(command);
	}

	private static String run(List<String> command) {
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(180, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " timed out");
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + command.get(0) + ": the cluster tests drive the local "
					+ "cluster with rabbitmqctl; run them on the machine that runs it (.ci/rabbitmq-cluster-up)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static boolean answers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
