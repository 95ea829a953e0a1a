package io.zephcast.autoconfigure.rabbit.testcontainers;

import java.util.List;

import io.zephcast.autoconfigure.rabbit.ZephcastRabbitConnectionDetails;
import org.jspecify.annotations.Nullable;
import org.testcontainers.rabbitmq.RabbitMQContainer;

import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

/**
 * {@link ZephcastRabbitConnectionDetails} for a {@code @ServiceConnection}
 * {@link RabbitMQContainer}, beside the {@code RabbitConnectionDetails} Spring Boot makes
 * for it: one container serves both when an application uses both.
 */
class ZephcastRabbitContainerConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<RabbitMQContainer, ZephcastRabbitConnectionDetails> {

	ZephcastRabbitContainerConnectionDetailsFactory() {
		super(ANY_CONNECTION_NAME, "io.zephcast.rabbit.RabbitClient");
	}

	@Override
	protected ZephcastRabbitConnectionDetails getContainerConnectionDetails(
			ContainerConnectionSource<RabbitMQContainer> source) {
		return new RabbitMqContainerConnectionDetails(source);
	}

	/**
	 * The container's AMQP port and administrator login, read once it has started.
	 */
	static final class RabbitMqContainerConnectionDetails extends ContainerConnectionDetails<RabbitMQContainer>
			implements ZephcastRabbitConnectionDetails {

		RabbitMqContainerConnectionDetails(ContainerConnectionSource<RabbitMQContainer> source) {
			super(source);
		}

		@Override
		public String getUsername() {
			return getContainer().getAdminUsername();
		}

		@Override
		public String getPassword() {
			return getContainer().getAdminPassword();
		}

		/**
		 * The container's AMQPS port when the service connection gives an SSL bundle
		 * ({@code @Ssl...} on the container), else its AMQP port.
		 */
		@Override
		public List<Address> getAddresses() {
			RabbitMQContainer container = getContainer();
			if (getSslBundle() != null) {
				return List.of(new Address(container.getHost(), container.getAmqpsPort(), true));
			}
			return List.of(new Address(container.getHost(), container.getAmqpPort()));
		}

		@Override
		public @Nullable SslBundle getSslBundle() {
			return super.getSslBundle();
		}

	}

}
