package io.zephcast.rabbit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.zephcast.test.RabbitBroker;
import io.zephcast.test.TestProtocol;
import io.zephcast.test.TestTopology;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every send's future against the broker's truth. One pipeline mixes valid sends, sends
 * the encoder refuses (some only after amqp-client has counted them), unroutable sends,
 * sends the broker nacks (a full queue with {@code x-overflow: reject-publish}) and
 * repeated message ids of the application's own. Each body carries a unique marker; at
 * the end the queues are read and every outcome is compared, message by message, with
 * what is really there.
 */
class PublishContractTests {

	private static final int SENDS = 2000;

	private static final int SMALL_QUEUE_LENGTH = 5;

	@RegisterExtension
	final TestTopology names = new TestTopology();

	enum Kind {

		/**
		 * Routed to the main queue; sometimes with odd header values Spring converts to
		 * text.
		 */
		VALID,

		/** A routing key over 255 bytes: refused before the channel is touched. */
		LONG_ROUTING_KEY,

		/**
		 * Headers larger than a frame: over AMQP 0-9-1 refused by the encoder after
		 * amqp-client counted the publish. AMQP 1.0 has no such limit (a message's
		 * sections span transfer frames; only the broker's max message size bounds it):
		 * there they are stored as a valid message's.
		 */
		OVERSIZED_HEADERS,

		/** No queue bound with its key: returned. */
		UNROUTABLE,

		/** To the small queue: the first few are stored, the rest nacked. */
		TO_SMALL_QUEUE

	}

	static Stream<Long> seeds() {
		long random = System.nanoTime();
		return Stream.of(1L, 20261128L, random);
	}

	@ParameterizedTest(name = "seed {0}")
	@MethodSource("seeds")
	void everyFutureSaysWhatTheBrokerDid(long seed) throws Exception {
		System.out.println("PublishContractTests seed: " + seed);
		Random random = new Random(seed);
		String exchange = this.names.exchange("contract");
		String mainQueue = this.names.queue("main");
		String smallQueue = this.names.queue("small");
		RabbitConfig config = TestProtocol.config()
			.exchangeName(exchange)
			.queueName(mainQueue)
			.routingKey("main")
			.build();
		List<Kind> kinds = new ArrayList<>();
		List<CompletableFuture<Void>> futures = new ArrayList<>();
		try (RabbitClient client = new RabbitClient("contract", config).connect()) {
			declareSmallQueue(exchange, smallQueue);
			for (int i = 0; i < SENDS; i++) {
				Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
				kinds.add(kind);
				futures.add(client.send(marker(seed, i), options(kind, random, i)));
			}
			CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
				.exceptionally((ex) -> null)
				.get(60, TimeUnit.SECONDS);
		}
		Map<String, String> stored = new HashMap<>();
		readAll(mainQueue, stored);
		readAll(smallQueue, stored);

		AtomicInteger confirmedSmall = new AtomicInteger();
		Map<Kind, AtomicInteger> counts = new HashMap<>();
		for (int i = 0; i < SENDS; i++) {
			Kind kind = kinds.get(i);
			CompletableFuture<Void> future = futures.get(i);
			String marker = marker(seed, i);
			String where = stored.remove(marker);
			assertThat(future).as("send %d (%s) completed", i, kind).isDone();
			Throwable failure = failure(future);
			counts.computeIfAbsent(kind, (k) -> new AtomicInteger()).incrementAndGet();
			if (failure == null) {
				assertThat(where).as("send %d (%s) was confirmed, so its message is in its queue", i, kind)
					.isEqualTo((kind == Kind.TO_SMALL_QUEUE) ? smallQueue : mainQueue);
				assertThat(kind).as("send %d", i).isIn(storable());
				if (kind == Kind.TO_SMALL_QUEUE) {
					confirmedSmall.incrementAndGet();
				}
			}
			else {
				assertThat(failure).as("send %d (%s)", i, kind).isInstanceOf(SendFailedException.class);
				SendFailedException sendFailure = (SendFailedException) failure;
				assertThat(sendFailure.mayHaveBeenStored()).as("send %d (%s): %s", i, kind, failure).isFalse();
				assertThat(where).as("send %d (%s) failed as not stored: %s", i, kind, failure).isNull();
				switch (kind) {
					case LONG_ROUTING_KEY -> assertThat(failure).isInstanceOf(InvalidMessageException.class)
						.extracting((ex) -> ((InvalidMessageException) ex).field())
						.isEqualTo("routingKey");
					case OVERSIZED_HEADERS -> {
						assertThat(TestProtocol.isAmqp10())
							.as("send %d: headers AMQP 1.0 carries failed: %s", i, failure)
							.isFalse();
						assertThat(failure).isInstanceOf(InvalidMessageException.class);
					}
					case UNROUTABLE -> assertThat(failure).isInstanceOf(UnroutableMessageException.class);
					case TO_SMALL_QUEUE ->
						assertThat(sendFailure.reason()).isEqualTo(SendFailedException.Reason.NACKED);
					default -> assertThat(failure).as("send %d: a valid message failed", i).isNull();
				}
			}
		}
		assertThat(stored).as("messages in the queues that no confirmed send accounts for").isEmpty();
		assertThat(confirmedSmall).as("the small queue took exactly its length").hasValue(SMALL_QUEUE_LENGTH);
		System.out.println("PublishContractTests seed " + seed + ": " + counts);
	}

	/**
	 * The kinds a confirmed send may be: AMQP 1.0 has no frame limit on headers (see
	 * {@link Kind#OVERSIZED_HEADERS}).
	 */
	private static List<Kind> storable() {
		return TestProtocol.isAmqp10() ? List.of(Kind.VALID, Kind.OVERSIZED_HEADERS, Kind.TO_SMALL_QUEUE)
				: List.of(Kind.VALID, Kind.TO_SMALL_QUEUE);
	}

	private static SendOptions options(Kind kind, Random random, int i) {
		SendOptions options = switch (kind) {
			case VALID -> SendOptions.routingKey("main");
			case LONG_ROUTING_KEY -> SendOptions.routingKey("k".repeat(256 + random.nextInt(100)));
			case OVERSIZED_HEADERS -> SendOptions.routingKey("main").withHeader("big", "x".repeat(200_000));
			case UNROUTABLE -> SendOptions.routingKey("nowhere-" + i);
			case TO_SMALL_QUEUE -> SendOptions.routingKey("small");
		};
		if (random.nextInt(4) == 0) {
			// the application's own ids, repeated across sends of every kind
			options = options.withMessageId("shared-id-" + random.nextInt(3));
		}
		if (kind == Kind.VALID && random.nextInt(3) == 0) {
			options = options.withHeader("counter", new AtomicInteger(i))
				.withHeader("big-integer", BigInteger.TWO.pow(80))
				.withHeader("ids", List.of(UUID.randomUUID(), "plain"))
				.withHeader("nested", Map.of("when", UUID.randomUUID()));
		}
		return options;
	}

	private static String marker(long seed, int i) {
		return "marker-" + seed + "-" + i;
	}

	private static Throwable failure(CompletableFuture<Void> future) throws InterruptedException {
		try {
			future.get();
			return null;
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
	}

	private static void declareSmallQueue(String exchange, String queue) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false,
					Map.of("x-max-length", SMALL_QUEUE_LENGTH, "x-overflow", "reject-publish"));
			channel.queueBind(queue, exchange, "small");
		}
	}

	private static void readAll(String queue, Map<String, String> stored) throws Exception {
		try (Connection connection = RabbitBroker.rawConnection(); Channel channel = connection.createChannel()) {
			GetResponse response;
			while ((response = channel.basicGet(queue, true)) != null) {
				String marker = new String(response.getBody(), StandardCharsets.UTF_8);
				assertThat(stored.put(marker, queue)).as("%s is in the queues once", marker).isNull();
				Object headers = response.getProps().getHeaders();
				if (headers instanceof Map<?, ?> table && table.containsKey("counter")) {
					assertThat(table.get("counter").toString()).as("AtomicInteger sent as text").matches("\\d+");
				}
			}
		}
	}

}
