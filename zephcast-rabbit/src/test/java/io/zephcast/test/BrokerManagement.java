package io.zephcast.test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the broker's own view of exchanges, queues, bindings and connections through the
 * management HTTP API, so tests check what really happened rather than what our code
 * believes.
 */
public final class BrokerManagement {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String baseUrl;

	private final String authorization;

	BrokerManagement(String baseUrl, String username, String password) {
		this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
		this.authorization = "Basic "
				+ Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The broker's RabbitMQ version.
	 * @return e.g. {@code 4.0.5}
	 */
	public String rabbitmqVersion() {
		return get("/api/overview").orElseThrow().path("rabbitmq_version").asString("");
	}

	public Optional<JsonNode> exchange(String name) {
		return exchange("/", name);
	}

	public Optional<JsonNode> exchange(String vhost, String name) {
		return get("/api/exchanges/" + encode(vhost) + "/" + encode(name));
	}

	public Optional<JsonNode> queue(String name) {
		return queue("/", name);
	}

	public Optional<JsonNode> queue(String vhost, String name) {
		return get("/api/queues/" + encode(vhost) + "/" + encode(name));
	}

	/**
	 * The names of the queues of the default virtual host that start with a prefix.
	 * @param prefix the prefix
	 * @return the queue names
	 */
	public List<String> queueNames(String prefix) {
		List<String> names = new ArrayList<>();
		get("/api/queues/%2F?columns=name").ifPresent((array) -> array.forEach((queue) -> {
			String name = queue.path("name").asString("");
			if (name.startsWith(prefix)) {
				names.add(name);
			}
		}));
		return names;
	}

	/**
	 * Creates a virtual host and gives the management user full permissions on it.
	 * @param vhost the virtual host name
	 * @param username the user to permit
	 */
	public void createVhost(String vhost, String username) {
		send(HttpRequest.newBuilder(URI.create(this.baseUrl + "/api/vhosts/" + encode(vhost)))
			.header("content-type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString("{}")));
		send(HttpRequest
			.newBuilder(URI.create(this.baseUrl + "/api/permissions/" + encode(vhost) + "/" + encode(username)))
			.header("content-type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}")));
	}

	public void deleteVhost(String vhost) {
		send(HttpRequest.newBuilder(URI.create(this.baseUrl + "/api/vhosts/" + encode(vhost))).DELETE());
	}

	/**
	 * The bindings of a queue, without the implicit one to the default exchange.
	 * @param queue the queue
	 * @return source exchange and routing key of each binding
	 */
	public List<BindingInfo> bindings(String queue) {
		List<BindingInfo> bindings = new ArrayList<>();
		get("/api/queues/%2F/" + encode(queue) + "/bindings").ifPresent((array) -> array.forEach((binding) -> {
			if (!binding.get("source").asString().isEmpty()) {
				bindings.add(new BindingInfo(binding.get("source").asString(), binding.get("routing_key").asString()));
			}
		}));
		return bindings;
	}

	/**
	 * The names of the open client connections.
	 * @return the connection names the clients gave
	 */
	public List<String> connectionNames() {
		List<String> names = new ArrayList<>();
		get("/api/connections").ifPresent((array) -> array.forEach((connection) -> {
			JsonNode properties = connection.path("client_properties");
			names.add(properties.path("connection_name").asString(""));
		}));
		return names;
	}

	/**
	 * The broker's view of the open connection the client named so.
	 * @param connectionName the name the client gave
	 * @return the connection, if open
	 */
	public Optional<JsonNode> connection(String connectionName) {
		Optional<JsonNode> connections = get("/api/connections");
		if (connections.isPresent()) {
			for (JsonNode connection : connections.get()) {
				if (connectionName.equals(connection.path("client_properties").path("connection_name").asString(""))) {
					return Optional.of(connection);
				}
			}
		}
		return Optional.empty();
	}

	/**
	 * The number of open connections whose client-given name starts with the prefix.
	 * @param namePrefix the connection name prefix
	 * @return the count
	 */
	public long countConnections(String namePrefix) {
		return connectionNames().stream().filter((name) -> name.startsWith(namePrefix)).count();
	}

	/**
	 * Closes every connection whose client-given name starts with the prefix, as a broker
	 * operator would.
	 * @param namePrefix the connection name prefix
	 * @return how many connections were closed
	 */
	public int closeConnections(String namePrefix) {
		int closed = 0;
		Optional<JsonNode> connections = get("/api/connections");
		if (connections.isEmpty()) {
			return 0;
		}
		for (JsonNode connection : connections.get()) {
			String name = connection.path("client_properties").path("connection_name").asString("");
			if (name.startsWith(namePrefix)) {
				send(HttpRequest
					.newBuilder(
							URI.create(this.baseUrl + "/api/connections/" + encode(connection.get("name").asString())))
					.header("X-Reason", "closed by zephcast test")
					.DELETE());
				closed++;
			}
		}
		return closed;
	}

	private Optional<JsonNode> get(String path) {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(this.baseUrl + path)).GET());
		if (response.statusCode() == 404) {
			return Optional.empty();
		}
		return Optional.of(JSON.readTree(response.body()));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.http.send(
					request.header("Authorization", this.authorization).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() >= 300 && response.statusCode() != 404) {
				throw new IllegalStateException("Management API " + response.request().uri() + " answered "
						+ response.statusCode() + ": " + response.body());
			}
			return response;
		}
		catch (IOException ex) {
			throw new IllegalStateException("The RabbitMQ management API at " + this.baseUrl + " does not answer (" + ex
					+ "). Enable it with 'rabbitmq-plugins enable rabbitmq_management'.", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	public record BindingInfo(String exchange, String routingKey) {
	}

}
