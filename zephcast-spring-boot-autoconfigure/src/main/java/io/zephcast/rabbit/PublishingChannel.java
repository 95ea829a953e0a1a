package io.zephcast.rabbit;

import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.Channel;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.support.RabbitExceptionTranslator;

/**
 * The one channel a client publishes on. {@code RabbitTemplate.send} checks a channel out
 * of the cache per message, and a confirm-mode channel goes back only once all its
 * confirms are in: with many sends in flight the template keeps opening channels, each a
 * broker round trip that can block the caller. Holding one channel lets sends pipeline;
 * the template still does the publishing, confirm and return bookkeeping.
 */
final class PublishingChannel {

	private final ConnectionFactory connectionFactory;

	private final RabbitTemplate template;

	private final ReentrantLock lock = new ReentrantLock();

	private @Nullable ChannelProxy proxy;

	private @Nullable Channel target;

	PublishingChannel(ConnectionFactory connectionFactory, RabbitTemplate template) {
		this.connectionFactory = connectionFactory;
		this.template = template;
	}

	/**
	 * Publishes a message; its confirm (or nack, or return) completes the correlation's
	 * future.
	 * @throws org.springframework.amqp.AmqpException if it could not be published
	 */
	void publish(String exchange, String routingKey, Message message, CorrelationData correlation) {
		this.lock.lock();
		try {
			Channel channel = channel();
			try {
				this.template.doSend(channel, exchange, routingKey, message, true, correlation);
			}
			catch (Exception ex) {
				release();
				throw RabbitExceptionTranslator.convertRabbitAccessException(ex);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private Channel channel() {
		Channel target = this.target;
		if (target != null && target.isOpen()) {
			return target;
		}
		release();
		ChannelProxy proxy = (ChannelProxy) this.connectionFactory.createConnection().createChannel(false);
		this.proxy = proxy;
		this.template.addListener(proxy);
		// publishing on the target skips the proxy's reflection on every call
		this.target = proxy.getTargetChannel();
		return this.target;
	}

	private void release() {
		ChannelProxy proxy = this.proxy;
		this.proxy = null;
		this.target = null;
		if (proxy != null) {
			RabbitUtils.setPhysicalCloseRequired(proxy, true);
			RabbitUtils.closeChannel(proxy);
		}
	}

	void close() {
		this.lock.lock();
		try {
			release();
		}
		finally {
			this.lock.unlock();
		}
	}

}
