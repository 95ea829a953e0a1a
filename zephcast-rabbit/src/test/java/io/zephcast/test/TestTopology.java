package io.zephcast.test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Unique queue and exchange names for each test, deleted from the broker after it. Use as
 * {@code @RegisterExtension final TestTopology names = new TestTopology();}.
 */
public final class TestTopology implements BeforeEachCallback, AfterEachCallback {

	private String prefix = "zc-test";

	private final List<String> queues = new ArrayList<>();

	private final List<String> exchanges = new ArrayList<>();

	@Override
	public void beforeEach(ExtensionContext context) {
		this.prefix = "zc-" + context.getRequiredTestMethod().getName() + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		this.queues.clear();
		this.exchanges.clear();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		// the queues a client declares beside its own (retry wait queues, dead letters)
		// share its prefix
		List<String> all = new ArrayList<>(this.queues);
		all.addAll(RabbitBroker.management().queueNames(this.prefix));
		RabbitBroker.delete(all, this.exchanges);
	}

	public String queue(String name) {
		String queue = this.prefix + "-q-" + name;
		this.queues.add(queue);
		return queue;
	}

	public String exchange(String name) {
		String exchange = this.prefix + "-x-" + name;
		this.exchanges.add(exchange);
		return exchange;
	}

	/**
	 * A stream name; it is also the fallback queue name, so that queue is cleaned up too.
	 * @param name a short name
	 * @return the stream name
	 */
	public String stream(String name) {
		String stream = this.prefix + "-s-" + name;
		this.queues.add(stream);
		return stream;
	}

}
