package io.zephcast.autoconfigure.rabbit;

import java.util.Arrays;

import io.zephcast.rabbit.RabbitConfig;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Whether the {@code zephcastConnectionFactory} bean is needed: the default stream speaks
 * AMQP 0-9-1, or a named stream on AMQP 0-9-1 shares it, or the application defines its
 * own {@link RabbitConfig} bean (whose protocol is known only once it is made; the
 * connection factory opens no connection until a client uses it). An application whose
 * streams all speak AMQP 1.0 then has no AMQP 0-9-1 connection factory at all, as it has
 * no listener container: nothing there for it to configure, customize or monitor.
 */
class ZephcastConnectionFactoryCondition extends SpringBootCondition {

	/** The bean the auto-configuration makes the default stream's configuration into. */
	private static final String OWN_CONFIG_BEAN = "zephcastRabbitConfig";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("zephcast AMQP 0-9-1 connection factory");
		ZephcastRabbitProperties properties = Binder.get(context.getEnvironment())
			.bindOrCreate(ZephcastPropertyNames.ROOT, ZephcastRabbitProperties.class);
		ZephcastStreamPlan plan = new ZephcastStreamPlan(properties, context.getEnvironment());
		if (plan.needsDefaultConnectionFactory()) {
			return ConditionOutcome.match(message.because("a stream speaks amqp-0-9-1"));
		}
		ConfigurableListableBeanFactory beans = context.getBeanFactory();
		if (beans != null && Arrays.stream(beans.getBeanNamesForType(RabbitConfig.class, true, false))
			.anyMatch((name) -> !name.equals(OWN_CONFIG_BEAN))) {
			return ConditionOutcome.match(message.because("the application defines its own RabbitConfig bean"));
		}
		return ConditionOutcome.noMatch(message.because("every stream speaks amqp-1-0"));
	}

}
