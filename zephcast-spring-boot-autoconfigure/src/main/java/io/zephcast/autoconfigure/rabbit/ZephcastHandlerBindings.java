package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Which {@link RabbitMessageHandler} bean runs on which stream: the one its
 * {@code @Qualifier} names, else the default stream. Worked out from the bean
 * definitions, without creating the handlers.
 */
final class ZephcastHandlerBindings {

	private ZephcastHandlerBindings() {
	}

	/**
	 * The handler bean bound to each client.
	 * @param beanFactory the bean factory
	 * @param clients the clients
	 * @return the handler bean name by client, in the clients' order
	 * @throws InvalidConfigurationPropertyValueException for a handler bound to a stream
	 * that is not declared
	 * @throws IllegalStateException for two handlers on one stream
	 */
	static Map<RabbitClient, String> resolve(ConfigurableListableBeanFactory beanFactory, RabbitClients clients) {
		Map<String, List<String>> handlersByStream = new LinkedHashMap<>();
		for (String handler : beanFactory.getBeanNamesForType(RabbitMessageHandler.class, true, false)) {
			String stream = qualifier(beanFactory, handler);
			if (stream == null) {
				stream = clients.getDefault().streamName();
			}
			else if (!clients.names().contains(stream)) {
				throw new InvalidConfigurationPropertyValueException(ZephcastPropertyNames.prefix(stream), null,
						"the RabbitMessageHandler bean '" + handler + "' is bound to stream '" + stream
								+ "' with @Qualifier, but there is no such stream; the streams are " + clients.names());
			}
			handlersByStream.computeIfAbsent(stream, (key) -> new ArrayList<>()).add(handler);
		}
		Map<RabbitClient, String> bindings = new LinkedHashMap<>();
		for (RabbitClient client : clients) {
			List<String> handlers = handlersByStream.getOrDefault(client.streamName(), List.of());
			if (handlers.size() > 1) {
				throw new IllegalStateException("Stream '" + client.streamName() + "' has " + handlers.size()
						+ " RabbitMessageHandler beans " + handlers + "; a stream runs one handler: bind the others "
						+ "to other streams with @Qualifier(\"<stream>\")");
			}
			if (!handlers.isEmpty()) {
				bindings.put(client, handlers.get(0));
			}
		}
		return bindings;
	}

	private static @Nullable String qualifier(ConfigurableListableBeanFactory beanFactory, String beanName) {
		Qualifier annotation = beanFactory.findAnnotationOnBean(beanName, Qualifier.class, false);
		if (annotation != null && !annotation.value().isEmpty()) {
			return annotation.value();
		}
		if (beanFactory.containsBeanDefinition(beanName)) {
			BeanDefinition definition = beanFactory.getMergedBeanDefinition(beanName);
			if (definition instanceof AbstractBeanDefinition abstractDefinition) {
				AutowireCandidateQualifier qualifier = abstractDefinition.getQualifier(Qualifier.class.getName());
				if (qualifier != null && qualifier.getAttribute(AutowireCandidateQualifier.VALUE_KEY) != null) {
					return String.valueOf(qualifier.getAttribute(AutowireCandidateQualifier.VALUE_KEY));
				}
			}
		}
		return null;
	}

}
