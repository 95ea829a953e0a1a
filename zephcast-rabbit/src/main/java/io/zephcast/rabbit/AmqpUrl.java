package io.zephcast.rabbit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code amqp://} or {@code amqps://} URL. Parsed here rather than through
 * {@code ConnectionFactory.setUri}, which would switch an {@code amqps} URL to a
 * trust-everything TLS context.
 */
record AmqpUrl(boolean tls, String host, int port, String virtualHost, @Nullable String username,
		@Nullable String password) {

	private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^@/]*@");

	static AmqpUrl parse(String url) {
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("not a valid URL (" + mask(ex.getReason()) + ")");
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
			throw new IllegalArgumentException("must start with amqp:// or amqps://");
		}
		if (uri.getHost() == null || uri.getHost().isEmpty()) {
			throw new IllegalArgumentException("has no host name (expected e.g. amqp://localhost:5672/)");
		}
		boolean tls = scheme.equals("amqps");
		int port = (uri.getPort() != -1) ? uri.getPort() : (tls ? 5671 : 5672);
		String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		String virtualHost = (path.isEmpty() || path.equals("/")) ? "/" : decode(path.substring(1));
		if (path.length() > 1 && path.substring(1).contains("/")) {
			throw new IllegalArgumentException("has a '/' in the virtual host; write it as %2F");
		}
		String username = null;
		String password = null;
		String userInfo = uri.getRawUserInfo();
		if (userInfo != null && !userInfo.isEmpty()) {
			int colon = userInfo.indexOf(':');
			username = decode((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
			password = (colon >= 0) ? decode(userInfo.substring(colon + 1)) : null;
		}
		return new AmqpUrl(tls, uri.getHost(), port, virtualHost, username, password);
	}

	private static String decode(String value) {
		return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	/**
	 * Removes the user name and password from a URL so it can be logged or shown.
	 * @param url the URL, valid or not
	 * @return the URL with any user information replaced by {@code ***}
	 */
	static String mask(@Nullable String url) {
		return (url != null) ? USER_INFO.matcher(url).replaceFirst("***@") : "";
	}

	@Override
	public String toString() {
		return (this.tls ? "amqps" : "amqp") + "://" + this.host + ":" + this.port + "/"
				+ (this.virtualHost.equals("/") ? "" : this.virtualHost);
	}

}
