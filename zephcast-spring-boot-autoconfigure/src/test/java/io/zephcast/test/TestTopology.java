package io.zephcast.test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Unique queue and exchange names for one test, deleted from the broker afterwards.
 */
public final class TestTopology implements AutoCloseable {

	private final String prefix;

	private final List<String> queues = new ArrayList<>();

	private final List<String> exchanges = new ArrayList<>();

	public TestTopology(String testName) {
		this.prefix = "zc-" + testName + "-" + UUID.randomUUID().toString().substring(0, 8);
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

	@Override
	public void close() {
		RabbitBroker.delete(this.queues, this.exchanges);
	}

}
