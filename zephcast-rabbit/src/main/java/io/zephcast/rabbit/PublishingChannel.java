package io.zephcast.rabbit;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.AmqpResourceNotAvailableException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.support.RabbitExceptionTranslator;

/**
 * The one channel a client publishes on, mandatory and with publisher confirms, reopened
 * when it closes. It completes each send's {@link CorrelationData} future from the
 * broker's confirm, after setting its returned message if the broker returned it.
 * <p>
 * {@code RabbitTemplate.send} checks a channel out of the cache per message, and a
 * confirm-mode channel goes back only once all its confirms are in: with many sends in
 * flight the template keeps opening channels. Holding one channel lets sends pipeline.
 * The template's bookkeeping on that channel ({@code doSend} on Spring's
 * publisher-callback channel) still cost a lot per message: it adds two correlation
 * headers to every message (spring_listener_return_correlation and
 * spring_returned_message_correlation, about 150 bytes that the broker parses, stores and
 * delivers with a 100-byte payload), and keeps three maps per message under one lock.
 * Here the channel is a plain amqp-client channel of the same connection: confirms are
 * matched by publish sequence number and a return by message id, so messages carry only
 * their own properties.
 */
final class PublishingChannel {

	private final ConnectionFactory connectionFactory;

	private final long confirmTimeoutNanos;

	private final String overdueReason;

	/** Makes a publish sequence number and the publish after it one step. */
	private final ReentrantLock lock = new ReentrantLock();

	private @Nullable Lane lane;

	PublishingChannel(ConnectionFactory connectionFactory, Duration confirmTimeout) {
		this.connectionFactory = connectionFactory;
		this.confirmTimeoutNanos = confirmTimeout.toNanos();
		this.overdueReason = "no confirm from the broker within " + confirmTimeout;
	}

	/**
	 * Publishes the message. Its correlation's future completes with the broker's ack or
	 * nack, or with a nack when the channel closes first or the confirm timeout passes.
	 * @throws org.springframework.amqp.AmqpException if no channel can be opened or the
	 * publish fails
	 */
	void publish(String exchange, String routingKey, PayloadCodec.Outgoing message, CorrelationData correlation) {
		this.lock.lock();
		try {
			lane().publish(exchange, routingKey, message, correlation);
		}
		catch (IOException ex) {
			throw RabbitExceptionTranslator.convertRabbitAccessException(ex);
		}
		finally {
			this.lock.unlock();
		}
	}

	private Lane lane() throws IOException {
		Lane current = this.lane;
		if (current == null || !current.channel.isOpen()) {
			// a plain channel of the (publisher) connection: no publisher-callback
			// wrapper
			Channel channel = this.connectionFactory.createConnection().getDelegate().createChannel();
			if (channel == null) {
				throw new AmqpResourceNotAvailableException("The broker has no channel left for publishing");
			}
			channel.confirmSelect();
			current = new Lane(channel);
			this.lane = current;
		}
		return current;
	}

	/**
	 * Fails, as a broker nack would, the sends the broker has not confirmed within the
	 * confirm timeout, so no send waits forever, even when its connection died silently
	 * or the broker blocks publishing. Sends are pending in publish order, so the sweep
	 * stops at the first one not yet due.
	 */
	void failOverdue() {
		Lane current = this.lane;
		if (current == null) {
			return;
		}
		long now = System.nanoTime();
		for (Map.Entry<Long, Pending> entry : current.pending.entrySet()) {
			if (now - entry.getValue().deadline < 0) {
				return;
			}
			if (current.pending.remove(entry.getKey()) != null) {
				current.complete(entry.getValue(), false, this.overdueReason);
			}
		}
	}

	/** Closes the channel; sends still unconfirmed fail as nacked. */
	void close() {
		this.lock.lock();
		try {
			if (this.lane != null && this.lane.channel.isOpen()) {
				this.lane.channel.close();
			}
		}
		catch (IOException | TimeoutException | ShutdownSignalException ex) {
			// closed already
		}
		finally {
			this.lane = null;
			this.lock.unlock();
		}
	}

	private static final class Pending {

		private final CorrelationData correlation;

		private final @Nullable String messageId;

		private final long deadline;

		private boolean returned;

		Pending(CorrelationData correlation, @Nullable String messageId, long deadline) {
			this.correlation = correlation;
			this.messageId = messageId;
			this.deadline = deadline;
		}

	}

	/**
	 * One channel and the sends it has not had confirmed yet, by publish sequence number.
	 */
	private final class Lane implements ConfirmListener, ReturnListener, ShutdownListener {

		private final Channel channel;

		private final ConcurrentSkipListMap<Long, Pending> pending = new ConcurrentSkipListMap<>();

		Lane(Channel channel) {
			this.channel = channel;
			channel.addConfirmListener(this);
			channel.addReturnListener(this);
			channel.addShutdownListener(this);
		}

		void publish(String exchange, String routingKey, PayloadCodec.Outgoing message, CorrelationData correlation)
				throws IOException {
			long sequence = this.channel.getNextPublishSeqNo();
			this.pending.put(sequence, new Pending(correlation, message.properties().getMessageId(),
					System.nanoTime() + PublishingChannel.this.confirmTimeoutNanos));
			try {
				this.channel.basicPublish(exchange, routingKey, true, message.properties(), message.body());
			}
			catch (IOException | RuntimeException ex) {
				this.pending.remove(sequence);
				throw ex;
			}
		}

		@Override
		public void handleAck(long deliveryTag, boolean multiple) {
			settle(deliveryTag, multiple, true);
		}

		@Override
		public void handleNack(long deliveryTag, boolean multiple) {
			settle(deliveryTag, multiple, false);
		}

		private void settle(long deliveryTag, boolean multiple, boolean ack) {
			if (multiple) {
				NavigableMap<Long, Pending> settled = this.pending.headMap(deliveryTag, true);
				for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
					complete(entry.getValue(), ack, null);
				}
				settled.clear();
			}
			else {
				Pending one = this.pending.remove(deliveryTag);
				if (one != null) {
					complete(one, ack, null);
				}
			}
		}

		private void complete(Pending pending, boolean ack, @Nullable String reason) {
			pending.correlation.getFuture().complete(new CorrelationData.Confirm(ack, reason));
		}

		/** Comes before the confirm of the same message, on the same thread. */
		@Override
		public void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
				AMQP.BasicProperties properties, byte[] body) {
			for (Pending candidate : this.pending.values()) {
				if (!candidate.returned && Objects.equals(candidate.messageId, properties.getMessageId())) {
					candidate.returned = true;
					candidate.correlation.setReturned(
							new ReturnedMessage(new Message(body), replyCode, replyText, exchange, routingKey));
					return;
				}
			}
		}

		@Override
		public void shutdownCompleted(ShutdownSignalException cause) {
			String reason = "the publishing channel closed before the broker confirmed: " + cause.getMessage();
			for (Pending unconfirmed : this.pending.values()) {
				complete(unconfirmed, false, reason);
			}
			this.pending.clear();
		}

	}

}
