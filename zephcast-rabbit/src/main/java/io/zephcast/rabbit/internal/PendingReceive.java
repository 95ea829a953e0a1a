package io.zephcast.rabbit.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.zephcast.rabbit.RabbitMessage;

/**
 * The future {@code receive()} hands out while no message is buffered: a
 * {@link CompletableFuture} that a waiting {@code get} gives up on when it times out or
 * is interrupted, by cancelling it.
 * <p>
 * Why: a message goes to a waiting receive at the moment it is delivered, skipping those
 * already done (cancelled, or completed by {@code orTimeout}/{@code completeOnTimeout}).
 * A plain {@code get(timeout)} that times out leaves a future incomplete, so it would
 * still take the next message, which nobody reads: unacked, and at prefetch 1 the end of
 * deliveries until the client closes. Overriding the blocking gets makes that give-up
 * visible. The alternative, letting a newer receive supersede an older pending one, was
 * rejected: several receives in flight at once (pipelining) are legitimate, and it would
 * not help when the message comes before the next receive. A future the application
 * neither reads nor gives up on cannot be told from a slow reader: it takes a message,
 * which stays unacked until the client closes (the broker then requeues it).
 * <p>
 * Stages derived from it ({@code thenApply}...) are plain futures: giving up on one of
 * them leaves this one waiting.
 */
final class PendingReceive extends CompletableFuture<RabbitMessage> {

	@Override
	public RabbitMessage get(long timeout, TimeUnit unit)
			throws InterruptedException, ExecutionException, TimeoutException {
		try {
			return super.get(timeout, unit);
		}
		catch (TimeoutException ex) {
			if (cancel(false)) {
				throw ex;
			}
			// a message came as the wait ended: hand it over rather than strand it
			return super.get();
		}
		catch (InterruptedException ex) {
			return interrupted(ex);
		}
	}

	@Override
	public RabbitMessage get() throws InterruptedException, ExecutionException {
		try {
			return super.get();
		}
		catch (InterruptedException ex) {
			return interrupted(ex);
		}
	}

	/**
	 * The waiting thread was interrupted: the receive is given up on, unless a message
	 * came meanwhile, which is then handed over with the interrupt flag set again.
	 */
	private RabbitMessage interrupted(InterruptedException ex) throws InterruptedException, ExecutionException {
		if (cancel(false)) {
			throw ex;
		}
		Thread.currentThread().interrupt();
		// done: returns at once, without looking at the flag
		return super.get();
	}

}
