package io.zephcast.rabbit.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A parsed {@code amqp://} or {@code amqps://} URL:
 * {@code amqp[s]://[user[:password]@]host[:port][/vhost][?heartbeat=s&connection_timeout=ms&channel_max=n]}.
 * <p>
 * Parsed by hand rather than with {@code java.net.URI} or
 * {@code ConnectionFactory.setUri}: {@code URI} refuses (and echoes) a password holding
 * {@code /} or {@code ?}, and {@code setUri} would switch an {@code amqps} URL to a
 * trust-everything TLS context. The user information runs to the <em>last</em> {@code @},
 * so passwords may hold any character (a {@code @} in the virtual host must then be
 * written {@code %40}). No message ever includes the user information. The query
 * parameters are the ones {@code setUri} honours; any other is refused.
 * <p>
 * Public so that code around the client (such as the Spring Boot starter's connection
 * details) reads a URL the way the client does. {@link #toString()} leaves the
 * credentials out.
 *
 * @param tls whether the scheme is {@code amqps}
 * @param host the host name
 * @param port the port (5672, or 5671 for {@code amqps}, when the URL names none)
 * @param virtualHost the virtual host, {@code /} when the URL names none
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}
 * @param heartbeatSeconds the {@code heartbeat} query parameter, or {@code null}
 * @param connectionTimeoutMillis the {@code connection_timeout} query parameter, or
 * {@code null}
 * @param channelMax the {@code channel_max} query parameter, or {@code null}
 */
public record AmqpUrl(boolean tls, String host, int port, String virtualHost, @Nullable String username,
		@Nullable String password, @Nullable Integer heartbeatSeconds, @Nullable Integer connectionTimeoutMillis,
		@Nullable Integer channelMax) {

	/** The query parameters amqp-client's {@code ConnectionFactory.setUri} honours. */
	static final List<String> QUERY_PARAMETERS = List.of("heartbeat", "connection_timeout", "channel_max");

	AmqpUrl(boolean tls, String host, int port, String virtualHost, @Nullable String username,
			@Nullable String password) {
		this(tls, host, port, virtualHost, username, password, null, null, null);
	}

	/**
	 * Parses a URL.
	 * @param url the URL
	 * @return the parsed URL
	 * @throws IllegalArgumentException saying what is wrong, never quoting the user
	 * information
	 */
	public static AmqpUrl parse(String url) {
		String text = url.trim();
		int schemeEnd = text.indexOf("://");
		String scheme = (schemeEnd > 0) ? text.substring(0, schemeEnd).toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("amqp") && !scheme.equals("amqps")) {
			throw new IllegalArgumentException("must start with amqp:// or amqps://");
		}
		boolean tls = scheme.equals("amqps");
		String rest = text.substring(schemeEnd + 3);
		int at = rest.lastIndexOf('@');
		String userInfo = (at >= 0) ? rest.substring(0, at) : null;
		String location = rest.substring(at + 1);
		String query = null;
		int question = location.indexOf('?');
		if (question >= 0) {
			query = location.substring(question + 1);
			location = location.substring(0, question);
		}
		int slash = location.indexOf('/');
		String authority = (slash >= 0) ? location.substring(0, slash) : location;
		String path = (slash >= 0) ? location.substring(slash) : "";
		String host;
		String portText;
		if (authority.startsWith("[")) {
			int close = authority.indexOf(']');
			if (close < 0) {
				throw new IllegalArgumentException("has an IPv6 host without its closing ']'");
			}
			host = authority.substring(0, close + 1);
			portText = authority.substring(close + 1);
		}
		else {
			int colon = authority.indexOf(':');
			host = (colon >= 0) ? authority.substring(0, colon) : authority;
			portText = (colon >= 0) ? authority.substring(colon) : "";
		}
		if (host.isEmpty()) {
			throw new IllegalArgumentException("has no host name (expected e.g. amqp://localhost:5672/)");
		}
		int port = port(portText, tls);
		String virtualHost = virtualHost(path);
		String username = null;
		String password = null;
		if (userInfo != null && !userInfo.isEmpty()) {
			int colon = userInfo.indexOf(':');
			username = decodeCredential((colon >= 0) ? userInfo.substring(0, colon) : userInfo);
			password = (colon >= 0) ? decodeCredential(userInfo.substring(colon + 1)) : null;
		}
		Integer[] parameters = queryParameters(query);
		return new AmqpUrl(tls, host, port, virtualHost, username, password, parameters[0], parameters[1],
				parameters[2]);
	}

	private static int port(String portText, boolean tls) {
		if (portText.isEmpty() || portText.equals(":")) {
			return tls ? 5671 : 5672;
		}
		if (!portText.startsWith(":")) {
			throw new IllegalArgumentException("has something other than ':port' after the host");
		}
		String digits = portText.substring(1);
		if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 5) {
			throw new IllegalArgumentException("has a port that is not a number from 1 to 65535: '" + digits + "'");
		}
		int port = Integer.parseInt(digits);
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("has port " + port + ", outside 1 to 65535");
		}
		return port;
	}

	private static String virtualHost(String path) {
		if (path.isEmpty() || path.equals("/")) {
			return "/";
		}
		String raw = path.substring(1);
		if (raw.contains("/")) {
			throw new IllegalArgumentException("has a '/' in the virtual host; write it as %2F");
		}
		try {
			return decode(raw);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("has a virtual host that is not valid percent-encoding");
		}
	}

	private static String decodeCredential(String value) {
		try {
			return decode(value);
		}
		catch (IllegalArgumentException ex) {
			// a lone '%' in a password: taken as it is rather than refused (and never
			// quoted)
			return value;
		}
	}

	private static Integer[] queryParameters(@Nullable String query) {
		Integer[] values = new Integer[3];
		if (query == null || query.isEmpty()) {
			return values;
		}
		for (String parameter : query.split("&")) {
			if (parameter.isEmpty()) {
				continue;
			}
			int equals = parameter.indexOf('=');
			String name = (equals >= 0) ? parameter.substring(0, equals) : parameter;
			String value = (equals >= 0) ? parameter.substring(equals + 1) : "";
			int index = QUERY_PARAMETERS.indexOf(name);
			if (index < 0) {
				throw new IllegalArgumentException("has the query parameter '" + name + "', which is not supported "
						+ "(supported: " + String.join(", ", QUERY_PARAMETERS) + ")");
			}
			int max = name.equals("channel_max") ? 65535 : Integer.MAX_VALUE;
			try {
				values[index] = Integer.parseInt(value);
			}
			catch (NumberFormatException ex) {
				values[index] = -1;
			}
			if (values[index] < 0 || values[index] > max) {
				throw new IllegalArgumentException(
						"has the query parameter " + name + "='" + value + "'; it must be a number from 0 to " + max);
			}
		}
		return values;
	}

	private static String decode(String value) {
		return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	/**
	 * Removes the user name and password from a URL so it can be logged or shown.
	 * Everything before the last {@code @} (after the scheme, if any) is replaced, so a
	 * password with any characters is never shown.
	 * @param url the URL, valid or not
	 * @return the URL with any user information replaced by {@code ***}
	 */
	public static String mask(@Nullable String url) {
		if (url == null) {
			return "";
		}
		int at = url.lastIndexOf('@');
		if (at < 0) {
			return url;
		}
		int schemeEnd = url.indexOf("://");
		int start = (schemeEnd >= 0 && schemeEnd < at) ? schemeEnd + 3 : 0;
		return url.substring(0, start) + "***" + url.substring(at);
	}

	@Override
	public String toString() {
		return (this.tls ? "amqps" : "amqp") + "://" + this.host + ":" + this.port + "/"
				+ (this.virtualHost.equals("/") ? "" : this.virtualHost);
	}

}
