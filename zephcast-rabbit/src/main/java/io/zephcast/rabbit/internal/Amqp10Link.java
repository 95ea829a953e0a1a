package io.zephcast.rabbit.internal;

import com.rabbitmq.client.amqp.Resource;

/**
 * One consumer (link) of an AMQP 1.0 consumption, and its generation: the generation
 * moves on each time the link leaves the open state (its connection lost, the consumer
 * closed), so that deliveries of an earlier generation, which the broker has requeued,
 * are known not to be settleable.
 * <p>
 * The prefetch needs nothing here: the link is built with the prefetch as its initial
 * credit, and RabbitMQ's AMQP 1.0 client (1.5.0 on) tops the credit up only to the
 * initial credit less the messages the link holds unsettled (waiting for the handler, or
 * handed out and settled later, from any thread), so at most {@code prefetch} are
 * unsettled per link ({@code Amqp10PrefetchBoundTests}). Earlier clients (0.8.0) topped
 * it up without counting those, and drew a slow consumer's whole queue in.
 */
final class Amqp10Link implements Resource.StateListener {

	private final String tag;

	private volatile long generation;

	private volatile boolean open = true;

	Amqp10Link(String tag) {
		this.tag = tag;
	}

	String tag() {
		return this.tag;
	}

	long generation() {
		return this.generation;
	}

	boolean isOpen() {
		return this.open;
	}

	boolean isCurrent(long deliveredOn) {
		return this.open && this.generation == deliveredOn;
	}

	@Override
	public void handle(Resource.Context context) {
		Resource.State state = context.currentState();
		if (state == Resource.State.OPEN) {
			this.open = true;
		}
		else if (context.previousState() == Resource.State.OPEN || state == Resource.State.CLOSED) {
			// synchronized on nothing: the client tells state changes of a resource in
			// order, one at a time. Since client 1.x it tells them later, on an executor:
			// the first (OPENING) may come after the link opened and delivered, so only
			// leaving OPEN (or CLOSED) ends a generation
			this.open = false;
			this.generation++;
		}
	}

	/** Closed by the consumption (not by a lost connection). */
	void closed() {
		this.open = false;
		this.generation++;
	}

}
