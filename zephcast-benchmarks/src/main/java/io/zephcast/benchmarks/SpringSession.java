package io.zephcast.benchmarks;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.HdrHistogram.Histogram;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.MessageListener;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Spring AMQP as Spring Boot users typically set it up: one
 * {@link CachingConnectionFactory} with {@code publisher-confirm-type: correlated}, a
 * {@link RabbitTemplate} on it ({@code convertAndSend} of a {@code byte[]}: persistent by
 * default, a fresh {@link CorrelationData} per message), and for consuming the container
 * Boot makes for a {@code @RabbitListener} by default, a
 * {@link SimpleMessageListenerContainer} whose acknowledge mode AUTO acks each message
 * when the listener returns.
 * <p>
 * Two ways to publish: {@link Mode#SYNC} waits for each confirm before the next send (the
 * common "send and check the confirm" code); {@link Mode#ASYNC} leaves the correlation
 * futures in flight, bounded to {@link #WINDOW} like the other contenders.
 */
final class SpringSession extends Session {

	enum Mode {

		SYNC, ASYNC

	}

	private final Mode mode;

	private final CachingConnectionFactory connectionFactory;

	private final RabbitTemplate template;

	private SimpleMessageListenerContainer container;

	SpringSession(Options options, String queue, int prefetch, int concurrency, Mode mode) throws Exception {
		super(options, queue, prefetch, concurrency);
		this.mode = mode;
		com.rabbitmq.client.ConnectionFactory rabbit = RawSession.factory(options.url);
		rabbit.setAutomaticRecoveryEnabled(false);
		this.connectionFactory = new CachingConnectionFactory(rabbit);
		this.connectionFactory.setPublisherConfirmType(ConfirmType.CORRELATED);
		this.connectionFactory.setConnectionNameStrategy((factory) -> "zc-bench-spring");
		this.connectionFactory.createConnection().close();
		this.template = new RabbitTemplate(this.connectionFactory);
	}

	@Override
	int publish(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		return (this.mode == Mode.SYNC) ? publishSync(count, confirmLatency, pacer, deadlineNanos)
				: publishAsync(count, confirmLatency, pacer, deadlineNanos);
	}

	private int publishSync(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		int sent = 0;
		for (int i = 0; i < count; i++) {
			if (System.nanoTime() > deadlineNanos) {
				break;
			}
			long due = (pacer != null) ? pacer.await(i) : 0;
			long now = System.nanoTime();
			CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
			this.template.convertAndSend("", this.queue, Payload.create((pacer != null) ? due : now, i), correlation);
			CorrelationData.Confirm confirm;
			try {
				confirm = correlation.getFuture().get(this.options.timeoutSeconds, TimeUnit.SECONDS);
			}
			catch (TimeoutException ex) {
				throw new BenchmarkFailure(
						"RabbitTemplate: no confirm for message " + i + " after " + this.options.timeoutSeconds + " s");
			}
			if (!confirm.ack()) {
				throw new BenchmarkFailure("RabbitTemplate: message " + i + " nacked: " + confirm.reason());
			}
			record(confirmLatency, now);
			sent++;
		}
		return sent;
	}

	private int publishAsync(int count, Histogram confirmLatency, Pacer pacer, long deadlineNanos) throws Exception {
		return publishPipelined(count, confirmLatency, pacer, deadlineNanos, "RabbitTemplate", (body) -> {
			CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
			this.template.convertAndSend("", this.queue, body, correlation);
			return correlation.getFuture().thenAccept((confirm) -> {
				if (!confirm.ack()) {
					throw new IllegalStateException("nack " + confirm.reason());
				}
			});
		});
	}

	@Override
	void startConsuming(Sink sink) {
		SimpleMessageListenerContainer listenerContainer = new SimpleMessageListenerContainer(this.connectionFactory);
		listenerContainer.setQueueNames(this.queue);
		listenerContainer.setAcknowledgeMode(AcknowledgeMode.AUTO);
		listenerContainer.setPrefetchCount(Math.max(1, this.prefetch));
		listenerContainer.setConcurrentConsumers(this.concurrency);
		listenerContainer.setMessageListener((MessageListener) (message) -> sink.onMessage(message.getBody(),
				message.getMessageProperties().getConsumerTag()));
		listenerContainer.afterPropertiesSet();
		listenerContainer.start();
		this.container = listenerContainer;
	}

	@Override
	void stopConsuming() {
		if (this.container != null) {
			this.container.stop();
			this.container.destroy();
			this.container = null;
		}
	}

	@Override
	public void close() {
		stopConsuming();
		this.connectionFactory.destroy();
	}

}
