package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.context.SmartLifecycle;

/**
 * Subscribes the application's {@link RabbitMessageHandler} bean to the
 * {@link RabbitClient} once the client has connected. The handler is looked up only then,
 * so it may itself inject the client (to send, or to settle messages).
 */
public final class RabbitMessageHandlerSubscriber implements SmartLifecycle {

	private final RabbitClient client;

	private final RabbitMessageHandler handler;

	private volatile boolean running;

	public RabbitMessageHandlerSubscriber(RabbitClient client, RabbitMessageHandler handler) {
		this.client = client;
		this.handler = handler;
	}

	@Override
	public void start() {
		this.client.subscribe(this.handler);
		this.running = true;
	}

	/**
	 * Does nothing itself: closing the client stops the deliveries and lets the handlers
	 * in flight finish.
	 */
	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
