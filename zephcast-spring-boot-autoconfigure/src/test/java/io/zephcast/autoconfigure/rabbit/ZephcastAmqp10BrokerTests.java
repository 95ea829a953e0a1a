package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.zephcast.rabbit.Protocol;
import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application with a stream on AMQP 1.0 beside one on AMQP 0-9-1, against
 * the real RabbitMQ 4 broker: each stream's handler gets exactly its own messages, and
 * both queues are empty afterwards. Handlers only record; the assertions run on the test
 * thread once a latch says the messages are in.
 */
class ZephcastAmqp10BrokerTests {

	private static final int PER_STREAM = 5;

	@RegisterExtension
	final TestTopology names = new TestTopology();

	@Test
	void anAmqp10StreamAndAnAmqp091StreamEachHandleExactlyTheirOwnMessages() throws Exception {
		// fails rather than skips: the build's broker is RabbitMQ 4.0 (.ci/rabbitmq4-up)
		assertThat(RabbitBroker.majorVersion())
			.as("AMQP 1.0 needs RabbitMQ 4.0 or later: start it with .ci/rabbitmq4-up and run against it")
			.isGreaterThanOrEqualTo(4);
		String classic = this.names.stream("amqp091");
		String modern = this.names.stream("amqp10");
		List<String> classicReceived = new CopyOnWriteArrayList<>();
		List<String> modernReceived = new CopyOnWriteArrayList<>();
		CountDownLatch all = new CountDownLatch(2 * PER_STREAM);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url(), "zephcast.rabbit.stream-name=" + classic,
					"zephcast.rabbit.streams." + modern + ".protocol=amqp-1-0")
			.withBean("classicHandler", RabbitMessageHandler.class, () -> (message) -> {
				classicReceived.add(message.text());
				all.countDown();
			})
			.withBean("modernHandler", RabbitMessageHandler.class, () -> (message) -> {
				modernReceived.add(message.text());
				all.countDown();
			}, (definition) -> ((AbstractBeanDefinition) definition)
				.addQualifier(new AutowireCandidateQualifier(Qualifier.class, modern)))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RabbitClients clients = context.getBean(RabbitClients.class);
				RabbitClient modernClient = clients.get(modern);
				assertThat(modernClient.config().protocol()).isEqualTo(Protocol.AMQP_1_0);
				for (int i = 0; i < PER_STREAM; i++) {
					clients.getDefault().send(classic + "#" + i).get(10, TimeUnit.SECONDS);
					modernClient.send(modern + "#" + i).get(10, TimeUnit.SECONDS);
				}
				assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
				assertThat(classicReceived).containsExactlyElementsOf(expected(classic));
				assertThat(modernReceived).containsExactlyElementsOf(expected(modern));
			});
		// the broker's truth: every message was settled, none is left in either queue
		assertThat(RabbitBroker.readyMessages(classic)).isZero();
		assertThat(RabbitBroker.readyMessages(modern)).isZero();
	}

	private static List<String> expected(String stream) {
		List<String> texts = new ArrayList<>();
		for (int i = 0; i < PER_STREAM; i++) {
			texts.add(stream + "#" + i);
		}
		return texts;
	}

}
