package io.zephcast.autoconfigure.rabbit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

import io.zephcast.rabbit.RabbitClient;
import org.jspecify.annotations.Nullable;

/**
 * Every {@link RabbitClient} of the application by stream name, for code that picks a
 * stream at run time: the default stream's ({@code zephcast.rabbit.*}, or the
 * application's own {@code RabbitClient} bean) and one per
 * {@code zephcast.rabbit.streams.<name>}. Iterates in that order.
 */
public final class RabbitClients implements Iterable<RabbitClient> {

	private final @Nullable RabbitClient defaultClient;

	private final Map<String, RabbitClient> clients;

	/**
	 * The clients of an application.
	 * @param defaultClient the default stream's client, or {@code null} if there is none
	 * @param namedClients the clients of the named streams, by stream name
	 */
	public RabbitClients(@Nullable RabbitClient defaultClient, Map<String, RabbitClient> namedClients) {
		this.defaultClient = defaultClient;
		Map<String, RabbitClient> clients = new LinkedHashMap<>();
		if (defaultClient != null) {
			clients.put(defaultClient.streamName(), defaultClient);
		}
		namedClients.forEach((name, client) -> {
			if (clients.putIfAbsent(name, client) != null) {
				throw new IllegalArgumentException("Two RabbitClients for stream '" + name + "'");
			}
		});
		this.clients = Collections.unmodifiableMap(clients);
	}

	/**
	 * The client of a stream.
	 * @param streamName the stream name (a key under {@code zephcast.rabbit.streams}, or
	 * the default stream's name)
	 * @return the client
	 * @throws NoSuchElementException naming the streams there are
	 */
	public RabbitClient get(String streamName) {
		RabbitClient client = this.clients.get(streamName);
		if (client == null) {
			throw new NoSuchElementException(
					"No RabbitClient for stream '" + streamName + "'; the streams are " + this.clients.keySet());
		}
		return client;
	}

	/**
	 * The default stream's client.
	 * @return the client
	 * @throws NoSuchElementException if the application has no single default client
	 */
	public RabbitClient getDefault() {
		if (this.defaultClient == null) {
			throw new NoSuchElementException("No default RabbitClient: the application defines several RabbitClient "
					+ "beans and none is @Primary");
		}
		return this.defaultClient;
	}

	/**
	 * The stream names, the default stream's first.
	 * @return the names
	 */
	public Set<String> names() {
		return this.clients.keySet();
	}

	public int size() {
		return this.clients.size();
	}

	@Override
	public Iterator<RabbitClient> iterator() {
		return this.clients.values().iterator();
	}

	/**
	 * The clients as a list, the default stream's first.
	 * @return the clients
	 */
	public List<RabbitClient> toList() {
		return new ArrayList<>(this.clients.values());
	}

	@Override
	public String toString() {
		return "RabbitClients" + this.clients.keySet();
	}

}
