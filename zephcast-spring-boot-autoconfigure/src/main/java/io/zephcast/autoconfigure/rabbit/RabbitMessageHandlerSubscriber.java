package io.zephcast.autoconfigure.rabbit;

import java.util.List;
import java.util.function.Supplier;

import io.zephcast.rabbit.RabbitClient;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.context.SmartLifecycle;

/**
 * Subscribes the application's {@link RabbitMessageHandler} beans to their streams'
 * {@link RabbitClient}s once the context starts. The handlers are looked up only then, so
 * a handler may itself inject a client (to send, or to settle messages).
 */
public final class RabbitMessageHandlerSubscriber implements SmartLifecycle {

	private final List<Subscription> subscriptions;

	private volatile boolean running;

	/**
	 * Subscribes one handler to one client.
	 * @param client the client
	 * @param handler the handler
	 */
	public RabbitMessageHandlerSubscriber(RabbitClient client, RabbitMessageHandler handler) {
		this(List.of(new Subscription(client, () -> handler)));
	}

	/**
	 * Subscribes each handler to its client.
	 * @param subscriptions which handler goes to which client
	 */
	public RabbitMessageHandlerSubscriber(List<Subscription> subscriptions) {
		this.subscriptions = List.copyOf(subscriptions);
	}

	/**
	 * The subscriptions, in the order they start.
	 * @return the subscriptions
	 */
	public List<Subscription> subscriptions() {
		return this.subscriptions;
	}

	@Override
	public void start() {
		for (Subscription subscription : this.subscriptions) {
			// connect() does nothing once the client is connected; it is called here so
			// that the order in which the context starts lifecycle beans does not matter
			subscription.client().connect();
			subscription.client().subscribe(subscription.handler().get());
		}
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

	/**
	 * A handler bound to a client.
	 *
	 * @param client the client
	 * @param handler looks the handler up
	 */
	public record Subscription(RabbitClient client, Supplier<RabbitMessageHandler> handler) {

	}

}
