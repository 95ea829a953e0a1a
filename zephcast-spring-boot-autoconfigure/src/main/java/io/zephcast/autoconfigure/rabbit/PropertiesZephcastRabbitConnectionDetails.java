package io.zephcast.autoconfigure.rabbit;

import java.util.List;

import io.zephcast.rabbit.AmqpUrl;
import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

/**
 * {@link ZephcastRabbitConnectionDetails} from {@code zephcast.rabbit.url}. It hands the
 * URL over as written, so the client's own checks report a bad one; its parts are read
 * with the client's own parser ({@link AmqpUrl}), which takes passwords with any
 * characters and never quotes them in an error.
 */
final class PropertiesZephcastRabbitConnectionDetails implements ZephcastRabbitConnectionDetails {

	private final String url;

	PropertiesZephcastRabbitConnectionDetails(ZephcastRabbitProperties properties) {
		this.url = (properties.getUrl() != null) ? properties.getUrl() : RabbitConfig.DEFAULT_URL;
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

	@Override
	public List<Address> getAddresses() {
		AmqpUrl url = parsed();
		return List.of(new Address(url.host(), url.port(), url.tls()));
	}

	private AmqpUrl parsed() {
		return AmqpUrl.parse(this.url);
	}

}
