package io.zephcast.autoconfigure.rabbit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.zephcast.rabbit.RabbitConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * {@link ZephcastRabbitConnectionDetails} from {@code zephcast.rabbit.url} and
 * {@code zephcast.rabbit.addresses}. The URL and the addresses are handed to the client
 * as written, so the client's own parser checks them and reports a bad one, naming the
 * property and never the credentials. The parts this class gives ({@link #getUsername()},
 * {@link #getAddresses()}, ...) are only split out of that URL for code that reads them:
 * the user information runs to the last {@code @} (so a password may hold any character),
 * and {@code %}-escapes are decoded. A URL too broken to split gives RabbitMQ's defaults
 * rather than an error quoting it. {@link #toString()} shows no credentials.
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
		String userInfo = userInfo();
		if (userInfo == null) {
			return null;
		}
		int colon = userInfo.indexOf(':');
		return decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
	}

	@Override
	public @Nullable String getPassword() {
		String userInfo = userInfo();
		int colon = (userInfo != null) ? userInfo.indexOf(':') : -1;
		return (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
	}

	@Override
	public String getVirtualHost() {
		String location = location(this.url);
		int slash = location.indexOf('/');
		String path = (slash >= 0) ? location.substring(slash + 1) : "";
		return path.isEmpty() ? "/" : decode(path);
	}

	/**
	 * The {@code zephcast.rabbit.addresses}, else the URL's host and port. An address
	 * without a scheme speaks TLS when the URL does; one without a port gets the default
	 * port of its scheme.
	 */
	@Override
	public List<Address> getAddresses() {
		boolean tls = tls(this.url);
		if (this.addresses.isEmpty()) {
			return List.of(address(this.url, tls));
		}
		return this.addresses.stream().map((address) -> address(address, tls)).toList();
	}

	@Override
	public String toString() {
		return "PropertiesZephcastRabbitConnectionDetails[addresses=" + getAddresses() + ", virtualHost="
				+ getVirtualHost() + "]";
	}

	private @Nullable String userInfo() {
		String rest = afterScheme(this.url);
		int at = rest.lastIndexOf('@');
		return (at > 0) ? rest.substring(0, at) : null;
	}

	private static Address address(String text, boolean defaultTls) {
		boolean tls = text.contains("://") ? tls(text) : defaultTls;
		String location = location(text);
		int slash = location.indexOf('/');
		String authority = (slash >= 0) ? location.substring(0, slash) : location;
		// an IPv6 host keeps its brackets, as amqp-client takes it
		int colon = authority.startsWith("[") ? authority.indexOf(':', Math.max(0, authority.indexOf(']')))
				: authority.indexOf(':');
		String host = (colon >= 0) ? authority.substring(0, colon) : authority;
		int port = (tls ? 5671 : 5672);
		if (colon >= 0) {
			try {
				port = Integer.parseInt(authority.substring(colon + 1));
			}
			catch (NumberFormatException ex) {
				// the client refuses it when it reads the URL, with the property's name
			}
		}
		return new Address(host.isEmpty() ? "localhost" : host, port, tls);
	}

	private static boolean tls(String url) {
		return url.trim().toLowerCase(Locale.ROOT).startsWith("amqps://");
	}

	private static String afterScheme(String url) {
		String text = url.trim();
		int schemeEnd = text.indexOf("://");
		return (schemeEnd >= 0) ? text.substring(schemeEnd + 3) : text;
	}

	/** The host, port and path: what follows the user information, without the query. */
	private static String location(String url) {
		String rest = afterScheme(url);
		String location = rest.substring(rest.lastIndexOf('@') + 1);
		int question = location.indexOf('?');
		return (question >= 0) ? location.substring(0, question) : location;
	}

	private static String decode(String value) {
		try {
			// a '+' is a plus sign in an amqp URL, not a space
			return StringUtils.uriDecode(value, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			// a lone '%' in a password: taken as it is, as the client takes it
			return value;
		}
	}

}
