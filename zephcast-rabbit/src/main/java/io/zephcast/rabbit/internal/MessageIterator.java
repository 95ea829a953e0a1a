package io.zephcast.rabbit.internal;

import java.util.Iterator;
import java.util.NoSuchElementException;

import io.zephcast.rabbit.RabbitMessage;
import org.jspecify.annotations.Nullable;

/**
 * The blocking iteration over a client's messages: {@code hasNext()} waits for the next
 * one and is false once the client is closed (or the thread is interrupted, whose flag it
 * then sets).
 */
final class MessageIterator implements Iterator<RabbitMessage> {

	private final DeliveryQueue deliveries;

	private @Nullable RabbitMessage next;

	MessageIterator(DeliveryQueue deliveries) {
		this.deliveries = deliveries;
	}

	@Override
	public boolean hasNext() {
		if (this.next == null) {
			try {
				this.next = this.deliveries.take();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		return this.next != null;
	}

	@Override
	public RabbitMessage next() {
		if (!hasNext()) {
			throw new NoSuchElementException("The RabbitClient is closed");
		}
		RabbitMessage message = this.next;
		this.next = null;
		return message;
	}

}
