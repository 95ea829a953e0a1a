package io.zephcast.autoconfigure.rabbit;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

/**
 * {@link ZephcastRabbitConnectionDetails} from {@code zephcast.rabbit.url}. It hands the
 * URL over as written, so the client's own checks report a bad one.
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
		String userInfo = uri().getRawUserInfo();
		if (userInfo == null) {
			return null;
		}
		int colon = userInfo.indexOf(':');
		return decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
	}

	@Override
	public @Nullable String getPassword() {
		String userInfo = uri().getRawUserInfo();
		int colon = (userInfo != null) ? userInfo.indexOf(':') : -1;
		return (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
	}

	@Override
	public String getVirtualHost() {
		String path = uri().getRawPath();
		return (path == null || path.length() <= 1) ? "/" : decode(path.substring(1));
	}

	@Override
	public List<Address> getAddresses() {
		URI uri = uri();
		boolean secure = "amqps".equals(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT));
		int port = (uri.getPort() != -1) ? uri.getPort() : (secure ? 5671 : 5672);
		return List.of(new Address(String.valueOf(uri.getHost()), port, secure));
	}

	private URI uri() {
		return URI.create(this.url.trim());
	}

	private static String decode(String value) {
		return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

}
