package io.zephcast.rabbit.internal;

import com.rabbitmq.client.amqp.Consumer;
import com.rabbitmq.client.amqp.Resource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One consumer (link) of an AMQP 1.0 consumption, and its generation: the generation
 * moves on each time the link leaves the open state (its connection lost, the consumer
 * closed), so that deliveries of an earlier generation, which the broker has requeued,
 * are known not to be settleable.
 * <p>
 * It also keeps what the link holds unsettled within the prefetch. RabbitMQ's AMQP 1.0
 * client 0.8.0 tops the credit up to the initial credit on every settlement once the
 * credit left is at most half of it, without counting the messages it holds unsettled
 * (waiting for the handler, or handed out and not yet settled; later client versions
 * count them): a slow handler or a puller that holds messages would draw the whole queue
 * into memory. So the initial credit is half the prefetch (rounded up), the link is
 * paused (credit 0, no top-up) once it holds that many unsettled, and unpaused (credit
 * added) just before the settlement that brings it to {@code prefetch - credit - 1}: a
 * top-up while unpaused adds at most the credit to fewer than the credit held, an unpause
 * the credit to at most {@code prefetch - credit} held, so at most {@code prefetch} are
 * unsettled at any time. A puller that holds messages without settling them gets up to
 * half the prefetch per link. (Two settlements of one link on two threads at the moment
 * of the unpause may let one credit's worth more through.)
 */
final class Amqp10Link implements Resource.StateListener {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	/** TEMPORARY: the gate on or off, to compare with amqp-client 1.5.0's own bound. */
	static volatile boolean gated = Boolean.getBoolean("zephcast.amqp10.gate");

	private final boolean gate = gated;

	private final String tag;

	private final int credit;

	private final long pauseAt;

	private final long resumeAt;

	private @Nullable Consumer consumer;

	/** Guarded by this. */
	private boolean paused;

	private volatile long generation;

	private volatile boolean open = true;

	Amqp10Link(String tag, int prefetch) {
		this.tag = tag;
		this.credit = credit(prefetch);
		this.pauseAt = this.credit;
		this.resumeAt = Math.max(0, prefetch - this.credit - 1);
	}

	/**
	 * The link credit for a prefetch.
	 * @param prefetch the most messages a link is to hold unsettled
	 * @return the credit the consumer is built with
	 */
	static int credit(int prefetch) {
		return gated ? Math.max(1, (prefetch + 1) / 2) : prefetch;
	}

	/**
	 * The link's consumer, once built: messages may have arrived before (they start as
	 * the consumer is built), so the window is checked at once.
	 */
	synchronized void attach(Consumer consumer) {
		this.consumer = consumer;
		delivered();
	}

	/**
	 * A message arrived (on the consumer's thread): pauses the link once it holds enough
	 * unsettled. Blocks until the broker echoed the pause.
	 */
	synchronized void delivered() {
		Consumer current = this.consumer;
		if (this.gate && !this.paused && current != null && current.unsettledMessageCount() >= this.pauseAt) {
			try {
				current.pause();
				this.paused = true;
			}
			catch (RuntimeException ex) {
				logger.debug("Pausing an AMQP 1.0 consumer failed", ex);
			}
		}
	}

	/**
	 * A message is about to be settled: unpauses the link if it then holds few enough
	 * unsettled. Before the disposition, so that the credit the unpause adds is on the
	 * link when the top-up the disposition queues looks at it (and adds none).
	 */
	synchronized void settling() {
		Consumer current = this.consumer;
		if (this.gate && this.paused && current != null && current.unsettledMessageCount() <= this.resumeAt + 1) {
			try {
				current.unpause();
				this.paused = false;
			}
			catch (RuntimeException ex) {
				// closed: nothing to unpause
				logger.debug("Unpausing an AMQP 1.0 consumer failed", ex);
			}
		}
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
		else if (this.open || state == Resource.State.CLOSED) {
			// synchronized on nothing: the client tells state changes of a resource in
			// order, on one thread
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
