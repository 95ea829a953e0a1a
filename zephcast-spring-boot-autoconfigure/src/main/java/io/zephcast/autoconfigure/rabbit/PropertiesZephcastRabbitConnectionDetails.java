package io.zephcast.autoconfigure.rabbit;

import java.util.List;

import io.zephcast.rabbit.RabbitConfig;
import io.zephcast.rabbit.internal.AmqpUrl;
import org.jspecify.annotations.Nullable;

/**
 * {@link ZephcastRabbitConnectionDetails} from {@code zephcast.rabbit.url} and
 * {@code zephcast.rabbit.addresses}. It hands the URL over as written, so the client's
 * own checks report a bad one; its parts are read with the client's own parser
 * ({@link AmqpUrl}), which takes passwords with any characters and never quotes them in
 * an error.
 */
final class PropertiesZephcastRabbitConnectionDetails implements ZephcastRabbitConnectionDetails {

	private final String url;

	private final List<String> addresses;

	PropertiesZephcastRabbitConnectionDetails(ZephcastRabbitProperties properties) {
		this.url = (properties.getUrl() != null) ? properties.getUrl() : RabbitConfig.DEFAULT_URL;
		this.addresses = (properties.getAddresses() != null) ? properties.getAddresses() : List.of();
	}

	@Override
	public String getUrl() {
		return this.url;
	}

	@Override
	public @Nullable String getUsername() {
		return parsed().username();
	}

	@Override
	public @Nullable String getPassword() {
		return parsed().password();
	}

	@Override
	public String getVirtualHost() {
		return parsed().virtualHost();
	}

	/**
	 * The {@code zephcast.rabbit.addresses}, else the URL's host and port. An address
	 * without a port gets the URL's default one.
	 */
	@Override
	public List<Address> getAddresses() {
		AmqpUrl url = parsed();
		if (this.addresses.isEmpty()) {
			return List.of(new Address(url.host(), url.port(), url.tls()));
		}
		return this.addresses.stream().map((address) -> {
			boolean scheme = address.contains("://");
			AmqpUrl parsed = AmqpUrl.parse(scheme ? address : (url.tls() ? "amqps://" : "amqp://") + address);
			return new Address(parsed.host(), parsed.port(), parsed.tls());
		}).toList();
	}

	private AmqpUrl parsed() {
		return AmqpUrl.parse(this.url);
	}

}
