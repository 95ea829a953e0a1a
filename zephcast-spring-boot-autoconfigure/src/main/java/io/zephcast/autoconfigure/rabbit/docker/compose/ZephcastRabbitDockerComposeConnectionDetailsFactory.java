package io.zephcast.autoconfigure.rabbit.docker.compose;

import java.util.List;
import java.util.Map;

import io.zephcast.autoconfigure.rabbit.ZephcastRabbitConnectionDetails;

import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionDetailsFactory;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionSource;

/**
 * {@link ZephcastRabbitConnectionDetails} for a {@code rabbitmq} service that Spring
 * Boot's Docker Compose support started.
 */
class ZephcastRabbitDockerComposeConnectionDetailsFactory
		extends DockerComposeConnectionDetailsFactory<ZephcastRabbitConnectionDetails> {

	private static final int RABBITMQ_PORT = 5672;

	ZephcastRabbitDockerComposeConnectionDetailsFactory() {
		super("rabbitmq", "io.zephcast.rabbit.RabbitClient");
	}

	@Override
	protected ZephcastRabbitConnectionDetails getDockerComposeConnectionDetails(DockerComposeConnectionSource source) {
		return new RabbitDockerComposeConnectionDetails(source.getRunningService());
	}

	/**
	 * The service's mapped AMQP port, and the login its environment sets up (the official
	 * image's variables, then Bitnami's, else RabbitMQ's default user).
	 */
	static final class RabbitDockerComposeConnectionDetails extends DockerComposeConnectionDetails
			implements ZephcastRabbitConnectionDetails {

		private final String username;

		private final String password;

		private final String virtualHost;

		private final List<Address> addresses;

		RabbitDockerComposeConnectionDetails(RunningService service) {
			super(service);
			Map<String, String> env = service.env();
			this.username = env.getOrDefault("RABBITMQ_DEFAULT_USER", env.getOrDefault("RABBITMQ_USERNAME", "guest"));
			this.password = env.getOrDefault("RABBITMQ_DEFAULT_PASS", env.getOrDefault("RABBITMQ_PASSWORD", "guest"));
			this.virtualHost = env.getOrDefault("RABBITMQ_DEFAULT_VHOST", "/");
			this.addresses = List.of(new Address(service.host(), service.ports().get(RABBITMQ_PORT)));
		}

		@Override
		public String getUsername() {
			return this.username;
		}

		@Override
		public String getPassword() {
			return this.password;
		}

		@Override
		public String getVirtualHost() {
			return this.virtualHost;
		}

		@Override
		public List<Address> getAddresses() {
			return this.addresses;
		}

	}

}
