package io.zephcast.rabbit.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.zephcast.rabbit.RabbitMessage;
import org.jspecify.annotations.Nullable;

/**
 * Hands messages from the listener container to the application ({@code receive()} and
 * iteration). It never holds more than the broker let the consumers have unacknowledged,
 * so it is bounded by prefetch count x consumers. Futures are completed on the callback
 * executor, never on a broker thread, so a callback that blocks cannot stall deliveries.
 * A thread that waits for a message runs the connection's consumer callbacks meanwhile
 * when its {@link ConsumerDispatch} hands it some.
 */
final class DeliveryQueue implements ConsumerDispatch.Puller {

	/** The fewest waiters the queue holds before it sweeps out those given up on. */
	static final int MIN_PURGE_AT = 64;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition available = this.lock.newCondition();

	private final ArrayDeque<RabbitMessage> messages = new ArrayDeque<>();

	private final ArrayDeque<CompletableFuture<RabbitMessage>> waiters = new ArrayDeque<>();

	private final Executor completionExecutor;

	private final @Nullable ConsumerDispatch dispatch;

	/** The waiter count at which {@link #next()} sweeps out those given up on. */
	private int purgeAt = MIN_PURGE_AT;

	private boolean closed;

	/**
	 * A queue.
	 * @param completionExecutor completes the futures of asynchronous pulls
	 * @param dispatch the executor of the consumers' connection, if it is zephcast's: a
	 * waiting thread then runs the callbacks it is handed
	 */
	DeliveryQueue(Executor completionExecutor, @Nullable ConsumerDispatch dispatch) {
		this.completionExecutor = completionExecutor;
		this.dispatch = dispatch;
	}

	/**
	 * Offers a delivered message.
	 * @param message the message
	 * @return false if the queue is closed: the message was not taken and stays
	 * unacknowledged, so the broker requeues it when the channel closes
	 */
	boolean offer(RabbitMessage message) {
		CompletableFuture<RabbitMessage> waiter;
		this.lock.lock();
		try {
			if (this.closed) {
				return false;
			}
			waiter = nextWaiter();
			if (waiter == null) {
				this.messages.add(message);
				this.available.signal();
				return true;
			}
		}
		finally {
			this.lock.unlock();
		}
		try {
			this.completionExecutor.execute(() -> {
				if (!waiter.complete(message)) {
					// the waiter was cancelled or timed out meanwhile: keep the message
					// for the next one
					if (!offer(message)) {
						HeldDelivery.of(message).abandon();
					}
				}
			});
		}
		catch (RejectedExecutionException ex) {
			return rejected(waiter, message, ex);
		}
		return true;
	}

	/**
	 * The completion executor refused to run a waiter's completion (shut down, or
	 * saturated): no waiter can be completed, so they fail rather than hang, and the
	 * message stays buffered for the next pull.
	 */
	private boolean rejected(CompletableFuture<RabbitMessage> waiter, RabbitMessage message,
			RejectedExecutionException ex) {
		List<CompletableFuture<RabbitMessage>> failed = new ArrayList<>();
		failed.add(waiter);
		this.lock.lock();
		try {
			failed.addAll(this.waiters);
			this.waiters.clear();
			if (this.closed) {
				return false;
			}
			this.messages.addFirst(message);
			this.available.signal();
		}
		finally {
			this.lock.unlock();
			IllegalStateException failure = new IllegalStateException(
					"receive() cannot complete: the RabbitClient's callback executor rejected the completion", ex);
			failed.forEach((pending) -> pending.completeExceptionally(failure));
		}
		return true;
	}

	private @Nullable CompletableFuture<RabbitMessage> nextWaiter() {
		CompletableFuture<RabbitMessage> waiter;
		while ((waiter = this.waiters.poll()) != null) {
			if (!waiter.isDone()) {
				return waiter;
			}
		}
		return null;
	}

	/**
	 * The next buffered message whose channel is still open. Messages of a lost channel
	 * are dropped: the broker has requeued them and will deliver them again, flagged
	 * redelivered.
	 */
	private @Nullable RabbitMessage pollLive() {
		RabbitMessage message;
		while ((message = this.messages.poll()) != null) {
			if (HeldDelivery.of(message).isChannelOpen()) {
				return message;
			}
			HeldDelivery.of(message).abandon();
		}
		return null;
	}

	/**
	 * The messages buffered, not yet handed out.
	 * @return the count
	 */
	int size() {
		this.lock.lock();
		try {
			return this.messages.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The asynchronous pulls held, waiting or given up on but not yet swept out (what
	 * tests check stays bounded).
	 * @return the count
	 */
	int waiterCount() {
		this.lock.lock();
		try {
			return this.waiters.size();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The next message: a buffered one at once, else a {@link PendingReceive} that the
	 * next delivery completes unless it is given up on first.
	 * @return the future
	 */
	CompletableFuture<RabbitMessage> next() {
		this.lock.lock();
		try {
			if (this.closed) {
				return CompletableFuture.failedFuture(closedException());
			}
			RabbitMessage message = pollLive();
			if (message != null) {
				return CompletableFuture.completedFuture(message);
			}
			if (this.waiters.size() >= this.purgeAt) {
				purgeGivenUp();
			}
			CompletableFuture<RabbitMessage> waiter = new PendingReceive();
			this.waiters.add(waiter);
			return waiter;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Sweeps out the waiters given up on (cancelled or timed out), which a delivery would
	 * otherwise only skip: while the queue is idle, they would pile up. Swept when the
	 * count reaches twice what the last sweep left (and at least {@link #MIN_PURGE_AT}),
	 * so each receive pays O(1) on average and the waiters held stay bounded by those
	 * still waiting, not by those given up on.
	 */
	private void purgeGivenUp() {
		this.waiters.removeIf(CompletableFuture::isDone);
		this.purgeAt = Math.max(MIN_PURGE_AT, 2 * this.waiters.size());
	}

	Optional<RabbitMessage> poll(Duration timeout) throws InterruptedException {
		return Optional.ofNullable(next(true, timeout.toNanos()));
	}

	/**
	 * Blocks until a message arrives.
	 * @return the message, or {@code null} once the queue is closed
	 */
	@Nullable RabbitMessage take() throws InterruptedException {
		return next(false, 0);
	}

	/**
	 * The pulling thread's loop: runs the callbacks handed to it, takes a live message,
	 * else waits for a signal (up to the deadline when timed).
	 * @return the message, or {@code null} when the time is up or the queue is closed
	 */
	private @Nullable RabbitMessage next(boolean timed, long timeoutNanos) throws InterruptedException {
		long nanos = timeoutNanos;
		// a deadline, not awaitNanos' time left: callbacks run after the wait count too
		long deadline = System.nanoTime() + nanos;
		pulling();
		this.lock.lockInterruptibly();
		try {
			while (!this.closed) {
				runHandedCallbacks();
				if (this.closed) {
					break;
				}
				RabbitMessage message = pollLive();
				if (message != null) {
					return message;
				}
				if (timed && nanos <= 0) {
					return null;
				}
				awaitSignal(timed, nanos);
				if (timed) {
					nanos = deadline - System.nanoTime();
				}
			}
			return null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Tells the dispatch, if zephcast's, that a thread pulls (and will pull again). */
	private void pulling() {
		if (this.dispatch != null) {
			this.dispatch.pulling();
		}
	}

	/**
	 * Runs, under the lock, the callbacks handed to pulling threads while none waited
	 * (the deliveries dispatched while this thread handled its last message), before
	 * taking a message: it takes what they deliver, and they do not wait for the next
	 * wait. Without the lock while they run: a callback locks the queue it delivers to.
	 */
	private void runHandedCallbacks() {
		ConsumerDispatch dispatch = this.dispatch;
		if (dispatch == null || !dispatch.hasHanded()) {
			return;
		}
		Runnable handed = dispatch.takeHanded();
		if (handed != null) {
			this.lock.unlock();
			try {
				// a callback must not see an interrupt flag: then the pool runs them
				dispatch.runHanded(handed, Thread.currentThread().isInterrupted());
			}
			finally {
				this.lock.lock();
			}
		}
	}

	/**
	 * Waits, under the lock, for a message, a close or callbacks to run; runs the
	 * callbacks it was handed, if any (without the lock: a callback locks the queue it
	 * delivers to). Returns at once if callbacks wait to be run: the caller runs them.
	 * @param timed whether to wait at most {@code nanos}
	 * @param nanos the time to wait at most
	 */
	private void awaitSignal(boolean timed, long nanos) throws InterruptedException {
		ConsumerDispatch dispatch = this.dispatch;
		if (dispatch != null && !dispatch.waiting(this)) {
			return;
		}
		boolean interrupted = true;
		try {
			if (timed) {
				this.available.awaitNanos(nanos);
			}
			else {
				this.available.await();
			}
			interrupted = false;
		}
		finally {
			Runnable handed = (dispatch != null) ? dispatch.stoppedWaiting(this) : null;
			if (handed != null) {
				this.lock.unlock();
				try {
					dispatch.runHanded(handed, interrupted);
				}
				finally {
					this.lock.lock();
				}
			}
		}
	}

	/** Wakes one waiting thread, to run the callbacks handed to it. */
	@Override
	public void wakeOne() {
		this.lock.lock();
		try {
			this.available.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Takes out the buffered messages, leaving the queue open (a stop, not a close):
	 * waiting pulls go on waiting.
	 * @return the messages that were never handed out
	 */
	List<RabbitMessage> drain() {
		this.lock.lock();
		try {
			List<RabbitMessage> remaining = new ArrayList<>(this.messages);
			this.messages.clear();
			return remaining;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops handing out messages.
	 * @return the messages that were never handed out
	 */
	List<RabbitMessage> close() {
		List<CompletableFuture<RabbitMessage>> pending;
		List<RabbitMessage> remaining;
		this.lock.lock();
		try {
			this.closed = true;
			pending = new ArrayList<>(this.waiters);
			this.waiters.clear();
			remaining = new ArrayList<>(this.messages);
			this.messages.clear();
			this.available.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		pending.forEach((waiter) -> waiter.completeExceptionally(closedException()));
		return remaining;
	}

	/**
	 * Whether {@link #close()} was called.
	 * @return whether closed
	 */
	boolean isClosed() {
		this.lock.lock();
		try {
			return this.closed;
		}
		finally {
			this.lock.unlock();
		}
	}

	private static IllegalStateException closedException() {
		return new IllegalStateException("The RabbitClient is closed: no more messages will be received");
	}

}
