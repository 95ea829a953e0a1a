package io.zephcast.autoconfigure.rabbit;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * What the failure analyzers say about the stream whose client failed at start-up: which
 * stream it is (from the bean that failed, else the stream the exception names), so that
 * they name its properties, and where its broker's URL came from (a property, a service
 * connection, Docker Compose, another connection details bean). Reads the properties
 * again, because the beans are gone by the time a failure is analyzed.
 */
final class FailedStream {

	private static final Pattern STARTED_BEAN = Pattern.compile("Failed to start bean '([^']+)'");

	private static final Pattern FOR_STREAM = Pattern.compile("for stream '([^']+)'");

	private static final String COMPOSE_DETAILS = "org.springframework.boot.docker.compose.service.connection."
			+ "DockerComposeConnectionDetailsFactory$DockerComposeConnectionDetails";

	private static final String CONTAINER_DETAILS = "org.springframework.boot.testcontainers.service.connection."
			+ "ContainerConnectionDetailsFactory$ContainerConnectionDetails";

	private final @Nullable ListableBeanFactory beanFactory;

	private final ZephcastRabbitProperties properties;

	private final @Nullable String name;

	private FailedStream(@Nullable BeanFactory beanFactory, ZephcastRabbitProperties properties,
			@Nullable String name) {
		this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
		this.properties = properties;
		this.name = name;
	}

	/**
	 * The stream a start-up failure belongs to.
	 * @param failure the failure, with the exceptions Spring wrapped it in
	 * @param cause the client's exception
	 * @param beanFactory the failed context's bean factory, or {@code null}
	 * @param environment the failed context's environment, or {@code null}
	 * @return the stream: a named one when the failure shows it, else the default one
	 */
	static FailedStream of(Throwable failure, Throwable cause, @Nullable BeanFactory beanFactory,
			@Nullable Environment environment) {
		ZephcastRabbitProperties properties = bind(environment);
		Map<String, ZephcastStreamProperties> streams = properties.getStreams();
		String name = null;
		for (Throwable candidate = failure; candidate != null && name == null; candidate = candidate.getCause()) {
			String bean = (candidate instanceof BeanCreationException creation) ? creation.getBeanName()
					: group(STARTED_BEAN, candidate.getMessage());
			name = streamOfBean(bean, streams);
		}
		if (name == null) {
			String stream = group(FOR_STREAM, cause.getMessage());
			name = (stream != null && streams.containsKey(stream)) ? stream : null;
		}
		return new FailedStream(beanFactory, properties, name);
	}

	private static ZephcastRabbitProperties bind(@Nullable Environment environment) {
		if (environment != null) {
			try {
				return Binder.get(environment).bindOrCreate(ZephcastPropertyNames.ROOT, ZephcastRabbitProperties.class);
			}
			catch (RuntimeException ex) {
				// properties that do not bind fail earlier, with their own analysis
			}
		}
		return new ZephcastRabbitProperties();
	}

	private static @Nullable String streamOfBean(@Nullable String bean, Map<String, ZephcastStreamProperties> streams) {
		return streams.keySet()
			.stream()
			.filter((stream) -> ZephcastStreamBeans.client(stream).equals(bean))
			.findFirst()
			.orElse(null);
	}

	private static @Nullable String group(Pattern pattern, @Nullable String message) {
		Matcher matcher = (message != null) ? pattern.matcher(message) : null;
		return (matcher != null && matcher.find()) ? matcher.group(1) : null;
	}

	/**
	 * The name of the named stream.
	 * @return the name, or {@code null} for the default stream
	 */
	@Nullable String name() {
		return this.name;
	}

	/**
	 * The property of one of the stream's settings.
	 * @param setting the {@link io.zephcast.rabbit.RabbitConfig} setting
	 * @return e.g. {@code zephcast.rabbit.streams.payments.durable}
	 */
	String property(String setting) {
		return ZephcastPropertyNames.of(this.name, setting);
	}

	/**
	 * Where the stream's protocol is set: its own {@code protocol} property, the default
	 * stream's that it inherits, or (neither set) its {@code RabbitConfig}.
	 * @return the property, or a description
	 */
	String protocolSource() {
		ZephcastStreamProperties own = (this.name != null) ? this.properties.getStreams().get(this.name) : null;
		if (own != null && own.getProtocol() != null) {
			return property("protocol");
		}
		if (this.properties.getProtocol() != null) {
			return ZephcastPropertyNames.of("protocol") + ((this.name != null) ? ", which the stream inherits" : "");
		}
		return "the stream's RabbitConfig";
	}

	/**
	 * Where the stream's broker URL came from: its own {@code url} or {@code addresses}
	 * property, the default stream's, or the connection details bean that replaces them.
	 * @return the property, or a description of the bean
	 */
	String connectionSource() {
		ZephcastStreamProperties own = (this.name != null) ? this.properties.getStreams().get(this.name) : null;
		if (own != null && (own.getUrl() != null || own.getAddresses() != null)) {
			return ZephcastPropertyNames.of(this.name, (own.getAddresses() != null) ? "addresses" : "url");
		}
		String details = connectionDetailsBean();
		if (details == null) {
			return ZephcastPropertyNames.of((this.properties.getAddresses() != null) ? "addresses" : "url");
		}
		Class<?> type = this.beanFactory.getType(details, false);
		if (isA(type, COMPOSE_DETAILS)) {
			return "the RabbitMQ service Docker Compose started (connection details bean '" + details + "')";
		}
		if (isA(type, CONTAINER_DETAILS)) {
			return "the RabbitMQ container of the service connection (connection details bean '" + details + "')";
		}
		return "the ZephcastRabbitConnectionDetails bean '" + details + "'";
	}

	/**
	 * The connection details bean the application defines instead of the one made from
	 * the properties.
	 */
	private @Nullable String connectionDetailsBean() {
		if (this.beanFactory == null) {
			return null;
		}
		return Arrays.stream(this.beanFactory.getBeanNamesForType(ZephcastRabbitConnectionDetails.class, true, false))
			.filter((bean) -> !isA(this.beanFactory.getType(bean, false),
					PropertiesZephcastRabbitConnectionDetails.class.getName())
					&& !bean.equals(ZephcastRabbitAutoConfiguration.CONNECTION_DETAILS_BEAN))
			.findFirst()
			.orElse(null);
	}

	/**
	 * Whether the type is, or extends, a class that may not be on the class path (Docker
	 * Compose's and Testcontainers' connection details are optional).
	 */
	private static boolean isA(@Nullable Class<?> type, String className) {
		if (type == null) {
			return false;
		}
		ClassLoader loader = type.getClassLoader();
		return ClassUtils.isPresent(className, loader)
				&& ClassUtils.resolveClassName(className, loader).isAssignableFrom(type);
	}

}
