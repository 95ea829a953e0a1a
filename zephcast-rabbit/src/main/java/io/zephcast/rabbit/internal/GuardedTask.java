package io.zephcast.rabbit.internal;

import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A periodic task that survives its own failures: a
 * {@link java.util.concurrent.ScheduledExecutorService} runs no more of a task that threw
 * once, silently, so an unguarded confirm-timeout sweep would end the confirm timeout for
 * good after one bad run. The first failure is logged as a warning with its stack trace,
 * later ones at debug, so that a failure on every run does not flood the log.
 */
final class GuardedTask implements Runnable {

	private static final Log logger = LogFactory.getLog(ClientLog.NAME);

	private final String name;

	private final Runnable task;

	private final AtomicLong failures = new AtomicLong();

	/**
	 * Guards a task.
	 * @param name what the task is, for the log, e.g. "the confirm-timeout sweep of
	 * RabbitClient 'orders'"
	 * @param task the task
	 */
	GuardedTask(String name, Runnable task) {
		this.name = name;
		this.task = task;
	}

	@Override
	public void run() {
		try {
			this.task.run();
		}
		catch (RuntimeException ex) {
			long count = this.failures.incrementAndGet();
			if (count == 1) {
				logger.warn(this.name + " failed; it runs again as scheduled (later failures are logged at debug)", ex);
			}
			else if (logger.isDebugEnabled()) {
				logger.debug(this.name + " failed again (" + count + " failures)", ex);
			}
		}
	}

	/** How many runs failed. */
	long failures() {
		return this.failures.get();
	}

}
