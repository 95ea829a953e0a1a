package io.zephcast.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a broker test that proves something of AMQP 0-9-1 alone (a channel, a frame
 * limit): it is reported as skipped, with its reason, when {@link TestProtocol} is AMQP
 * 1.0, never silently.
 */
@Target({ ElementType.METHOD, ElementType.TYPE })
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Amqp091Only.Condition.class)
public @interface Amqp091Only {

	/**
	 * Why the test does not apply to AMQP 1.0.
	 * @return the reason
	 */
	String value();

	/** Disables the test under AMQP 1.0, giving the reason. */
	final class Condition implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			if (!TestProtocol.isAmqp10()) {
				return ConditionEvaluationResult.enabled("AMQP 0-9-1 under test");
			}
			String reason = context.getElement()
				.map((element) -> element.getAnnotation(Amqp091Only.class))
				.map(Amqp091Only::value)
				.orElse("AMQP 0-9-1 only");
			return ConditionEvaluationResult.disabled("AMQP 0-9-1 only: " + reason);
		}

	}

}
