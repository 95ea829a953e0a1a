package io.zephcast.rabbit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PublishSequenceRing} against a {@link TreeMap} doing the same: what each
 * operation returns, in order, and what is left. The broker's side (confirms and returns
 * for what was written) is proved by {@code PublishContractTests}; this is the ring's
 * bookkeeping: holes, wrap-around, growth.
 */
class PublishSequenceRingTests {

	@Test
	void settlesInPublishOrderAcrossHolesWrapAroundAndGrowth() {
		PublishSequenceRing pending = new PublishSequenceRing();
		for (long tag = 1; tag <= 50; tag++) {
			pending.add(tag, send(tag, 0));
		}
		// out-of-order single confirms leave holes, one of them at the head
		assertThat(pending.remove(1)).extracting(this::tagOf).isEqualTo(1L);
		assertThat(pending.remove(30)).extracting(this::tagOf).isEqualTo(30L);
		assertThat(pending.remove(30)).isNull();
		assertThat(pending.get(30)).isNull();
		assertThat(tags(pending.removeUpTo(40))).containsExactlyElementsOf(range(2, 40, 30));
		// the ring wraps (head at 41 of 64 slots) and then grows past 64 entries
		for (long tag = 51; tag <= 200; tag++) {
			pending.add(tag, send(tag, 0));
		}
		assertThat(pending.get(41)).extracting(this::tagOf).isEqualTo(41L);
		assertThat(pending.get(200)).extracting(this::tagOf).isEqualTo(200L);
		assertThat(pending.get(201)).isNull();
		assertThat(tags(pending.removeUpTo(Long.MAX_VALUE))).containsExactlyElementsOf(range(41, 200, -1));
		assertThat(pending.isEmpty()).isTrue();
	}

	@Test
	void aBurstOfSendsDoesNotKeepItsRingOnceEverySendIsSettled() {
		PublishSequenceRing pending = new PublishSequenceRing();
		for (long tag = 1; tag <= 100_000; tag++) {
			pending.add(tag, send(tag, 0));
		}
		assertThat(pending.capacity()).isGreaterThanOrEqualTo(100_000);
		assertThat(pending.removeUpTo(99_999)).hasSize(99_999);
		assertThat(pending.capacity()).as("one send still in flight").isGreaterThanOrEqualTo(100_000);
		assertThat(pending.remove(100_000)).extracting(this::tagOf).isEqualTo(100_000L);
		assertThat(pending.capacity()).isEqualTo(64);

		// a ring of the usual size is kept, not reallocated each time it empties
		for (long tag = 100_001; tag <= 101_000; tag++) {
			pending.add(tag, send(tag, 0));
		}
		assertThat(pending.removeUpTo(101_000)).hasSize(1000);
		assertThat(pending.capacity()).isEqualTo(1024);
		pending.add(101_001, send(101_001, 0));
		assertThat(pending.get(101_001)).extracting(this::tagOf).isEqualTo(101_001L);
	}

	@Test
	void overdueSweepStopsAtTheFirstSendNotYetDue() {
		PublishSequenceRing pending = new PublishSequenceRing();
		pending.add(1, send(1, 100));
		pending.add(2, send(2, 200));
		pending.add(3, send(3, 300));
		pending.add(4, send(4, 400));
		pending.remove(2);
		assertThat(tags(pending.removeOverdue(350))).containsExactly(1L, 3L);
		assertThat(tags(pending.removeOverdue(350))).isEmpty();
		assertThat(tags(pending.removeUpTo(10))).containsExactly(4L);
	}

	@Test
	void aSendRefusedAfterItWasAddedLeavesNoHoleAtTheTail() {
		PublishSequenceRing pending = new PublishSequenceRing();
		pending.add(1, send(1, 0));
		pending.add(2, send(2, 0));
		pending.remove(2);
		pending.add(3, send(3, 0));
		assertThat(tags(pending.removeUpTo(3))).containsExactly(1L, 3L);
	}

	@Test
	void behavesAsASortedMapUnderRandomOperations() {
		long seed = System.nanoTime();
		System.out.println("PublishSequenceRingTests seed: " + seed);
		Random random = new Random(seed);
		PublishSequenceRing pending = new PublishSequenceRing();
		NavigableMap<Long, UnconfirmedSend> model = new TreeMap<>();
		long nextTag = 1;
		for (int step = 0; step < 200_000; step++) {
			int operation = random.nextInt(10);
			if (operation < 5) {
				UnconfirmedSend send = send(nextTag, nextTag);
				pending.add(nextTag, send);
				model.put(nextTag, send);
				nextTag++;
			}
			else if (operation < 7) {
				long tag = 1 + (long) random.nextInt((int) nextTag);
				assertThat(pending.remove(tag)).as("remove %d, seed %d", tag, seed).isSameAs(model.remove(tag));
			}
			else if (operation < 8) {
				long tag = 1 + (long) random.nextInt((int) nextTag);
				assertThat(pending.get(tag)).as("get %d, seed %d", tag, seed).isSameAs(model.get(tag));
			}
			else if (operation < 9) {
				long upTo = model.isEmpty() ? nextTag : model.firstKey() + random.nextInt(40);
				List<UnconfirmedSend> expected = new ArrayList<>(model.headMap(upTo, true).values());
				model.headMap(upTo, true).clear();
				assertThat(pending.removeUpTo(upTo)).as("removeUpTo %d, seed %d", upTo, seed)
					.containsExactlyElementsOf(expected);
			}
			else {
				// deadlines are the tags: overdue = every send up to "now"
				long now = model.isEmpty() ? nextTag : model.firstKey() + random.nextInt(20);
				List<UnconfirmedSend> expected = new ArrayList<>(model.headMap(now, true).values());
				model.headMap(now, true).clear();
				assertThat(pending.removeOverdue(now)).as("removeOverdue %d, seed %d", now, seed)
					.containsExactlyElementsOf(expected);
			}
			assertThat(pending.isEmpty()).as("isEmpty, seed %d", seed).isEqualTo(model.isEmpty());
		}
		assertThat(pending.removeUpTo(Long.MAX_VALUE)).containsExactlyElementsOf(model.values());
	}

	private static UnconfirmedSend send(long tag, long deadline) {
		return new UnconfirmedSend(new CompletableFuture<>(), Long.toString(tag), "exchange", "key", deadline);
	}

	private long tagOf(UnconfirmedSend send) {
		return Long.parseLong(send.messageId());
	}

	private List<Long> tags(List<UnconfirmedSend> sends) {
		return sends.stream().map(this::tagOf).toList();
	}

	private static List<Long> range(long from, long to, long except) {
		List<Long> tags = new ArrayList<>();
		for (long tag = from; tag <= to; tag++) {
			if (tag != except) {
				tags.add(tag);
			}
		}
		return tags;
	}

}
