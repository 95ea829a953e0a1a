package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.RabbitConnectionException;
import io.zephcast.test.RabbitBroker;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Spring Boot user reads when a stream's broker cannot be reached: the key they
 * set, the default stream's or a named stream's, or the service connection or Docker
 * Compose service the URL came from.
 */
class RabbitConnectionFailureAnalyzerTests {

	private static final String DEAD = "amqp://127.0.0.1:1/";

	@Test
	void theDefaultStreamNamesItsUrlProperty() {
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient", "zephcast"),
				"zephcast.rabbit.url=" + DEAD);
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.url (now " + DEAD + ")");
	}

	@Test
	void amqp10RefusedByABrokerBefore40SaysToUseRabbitMQ4OrAmqp091() {
		String url = "amqp://127.0.0.1:5672/";
		RabbitConnectionException cause = new RabbitConnectionException(
				"The broker at " + url + " for stream "
						+ "'payments' does not speak AMQP 1.0: protocol amqp-1-0 needs RabbitMQ 4.0 or later",
				url, null);
		FailureAnalysis analysis = StartupFailures.analyze(
				new ApplicationContextException("Failed to start bean 'rabbitClient.payments'", cause),
				"zephcast.rabbit.url=" + url, "zephcast.rabbit.protocol=amqp-1-0",
				"zephcast.rabbit.streams.payments.durable=true");
		assertThat(analysis.getDescription()).isEqualTo(cause.getMessage());
		assertThat(analysis.getAction()).isEqualTo("Use a RabbitMQ 4.0+ broker (check zephcast.rabbit.url, now " + url
				+ "), or set zephcast.rabbit.streams.payments.protocol to amqp-0-9-1.");
	}

	@Test
	void theDefaultStreamNamesItsAddressesPropertyWhenThatIsSet() {
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient", "zephcast"),
				"zephcast.rabbit.addresses=127.0.0.1:1,127.0.0.1:2");
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.addresses (now ");
	}

	@Test
	void aNamedStreamWithItsOwnUrlNamesItsKey() {
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient.payments", "payments"),
				"zephcast.rabbit.streams.payments.url=" + DEAD);
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.streams.payments.url (now " + DEAD + ")");
	}

	@Test
	void aNamedStreamIsFoundByTheStreamItsExceptionNamesWhenNoClientBeanFailed() {
		RabbitConnectionException cause = new RabbitConnectionException(
				"Cannot connect to RabbitMQ at " + DEAD + " for stream 'payments': Connection refused", DEAD, null);
		FailureAnalysis analysis = StartupFailures.analyze(
				new ApplicationContextException("Failed to start bean 'zephcastRabbitMessageHandlerSubscriber'", cause),
				"zephcast.rabbit.streams.payments.url=" + DEAD);
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.streams.payments.url");
	}

	@Test
	void aNamedStreamWithoutAUrlOfItsOwnNamesTheDefaultStreamsKey() {
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient.payments", "payments"),
				"zephcast.rabbit.url=" + DEAD, "zephcast.rabbit.streams.payments.prefetch-count=5");
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.url (now " + DEAD + ")");
	}

	@Test
	void aUrlFromDockerComposeSaysSo() throws Exception {
		DefaultListableBeanFactory beans = beansWithDetails("zephcastRabbitConnectionDetailsForRabbitmq",
				"io.zephcast.autoconfigure.rabbit.docker.compose."
						+ "ZephcastRabbitDockerComposeConnectionDetailsFactory$RabbitDockerComposeConnectionDetails");
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient.payments", "payments"), beans,
				"zephcast.rabbit.url=amqp://ignored:5672/", "zephcast.rabbit.streams.payments.prefetch-count=5");
		assertThat(analysis.getAction()).startsWith("Check the RabbitMQ service Docker Compose started "
				+ "(connection details bean 'zephcastRabbitConnectionDetailsForRabbitmq') (now " + DEAD + ")");
	}

	@Test
	void aUrlFromAServiceConnectionSaysSo() throws Exception {
		DefaultListableBeanFactory beans = beansWithDetails("rabbitContainerConnectionDetails",
				"io.zephcast.autoconfigure.rabbit.testcontainers."
						+ "ZephcastRabbitContainerConnectionDetailsFactory$RabbitMqContainerConnectionDetails");
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient", "zephcast"), beans);
		assertThat(analysis.getAction()).startsWith("Check the RabbitMQ container of the service connection "
				+ "(connection details bean 'rabbitContainerConnectionDetails')");
	}

	@Test
	void aNamedStreamWithItsOwnUrlNamesItsKeyEvenBesideAServiceConnection() throws Exception {
		DefaultListableBeanFactory beans = beansWithDetails("rabbitContainerConnectionDetails",
				"io.zephcast.autoconfigure.rabbit.testcontainers."
						+ "ZephcastRabbitContainerConnectionDetailsFactory$RabbitMqContainerConnectionDetails");
		FailureAnalysis analysis = StartupFailures.analyze(failure("rabbitClient.payments", "payments"), beans,
				"zephcast.rabbit.streams.payments.url=" + DEAD);
		assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.streams.payments.url");
	}

	/**
	 * The real thing: a named stream whose broker is down fails the context, and the
	 * analysis of that failure names the stream's key.
	 */
	@Test
	void aFailedContextsAnalysisNamesTheNamedStreamsKey() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ZephcastRabbitAutoConfiguration.class))
			.withPropertyValues("zephcast.rabbit.url=" + RabbitBroker.url(),
					"zephcast.rabbit.streams.payments.url=" + DEAD)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure(),
						"zephcast.rabbit.url=" + RabbitBroker.url(), "zephcast.rabbit.streams.payments.url=" + DEAD);
				assertThat(analysis.getDescription()).contains("Cannot connect to RabbitMQ at " + DEAD);
				assertThat(analysis.getAction()).startsWith("Check zephcast.rabbit.streams.payments.url (now " + DEAD);
			});
	}

	private static Throwable failure(String bean, String stream) {
		return new ApplicationContextException("Failed to start bean '" + bean + "'",
				new RabbitConnectionException(
						"Cannot connect to RabbitMQ at " + DEAD + " for stream '" + stream + "': Connection refused",
						DEAD, null));
	}

	/**
	 * A bean factory holding a connection details definition as Spring Boot registers
	 * one, by the details' class (it is not created).
	 */
	private static DefaultListableBeanFactory beansWithDetails(String name, String className) throws Exception {
		DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
		beans.registerBeanDefinition(name, new RootBeanDefinition(Class.forName(className)));
		return beans;
	}

}
