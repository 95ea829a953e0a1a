package io.zephcast.rabbit.internal;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The sends of one publishing channel that await their confirm, by publish sequence: a
 * ring in publish order, since sequences only grow. The broker confirms mostly from the
 * oldest send on, often many at once, so settling takes from the head; a confirm or
 * return of one send out of order finds it by binary search and leaves a hole that the
 * head skips later.
 * <p>
 * Not a {@code ConcurrentSkipListMap}, as amqp-client's and Spring AMQP's confirm
 * examples use: every send paid the skip list's put and remove (a quarter of what
 * zephcast's send path cost beyond the raw client's in the benchmark's profile), where
 * this ring pays an array store and an uncontended monitor. Thread-safe: the publisher
 * adds, the connection's I/O thread settles, the confirm-timeout sweep fails the overdue.
 * The ring keeps the size the most sends in flight needed, as {@code ArrayDeque} does, up
 * to {@value #KEPT_CAPACITY} slots; a larger one goes back to its first size once every
 * send is settled, so that one burst of sends does not hold its memory for the channel's
 * life.
 * <p>
 * Named for what it is, a ring keyed by publish sequence, apart from the
 * {@link UnconfirmedSend}s it holds.
 */
final class PublishSequenceRing {

	private static final int INITIAL_CAPACITY = 64;

	/** The largest ring kept once empty (about 100 KiB with its sequences). */
	private static final int KEPT_CAPACITY = 8192;

	/** The sequence of each slot; kept for a hole too, so that the search still works. */
	private long[] tags = new long[INITIAL_CAPACITY];

	private @Nullable UnconfirmedSend[] sends = new UnconfirmedSend[INITIAL_CAPACITY];

	/** The slot of the oldest entry (a send or a hole). */
	private int head;

	/** Entries from the head on, holes included. */
	private int length;

	/**
	 * Adds a send.
	 * @param tag its publish sequence, greater than every sequence added before
	 * @param send the send
	 */
	synchronized void add(long tag, UnconfirmedSend send) {
		if (this.length == this.sends.length) {
			grow();
		}
		int slot = slot(this.length);
		this.tags[slot] = tag;
		this.sends[slot] = send;
		this.length++;
	}

	/** The send with this sequence, or {@code null} when it is settled or unknown. */
	synchronized @Nullable UnconfirmedSend get(long tag) {
		int index = indexOf(tag);
		return (index >= 0) ? this.sends[slot(index)] : null;
	}

	/**
	 * Removes the send with this sequence; {@code null} when it is settled or unknown.
	 */
	synchronized @Nullable UnconfirmedSend remove(long tag) {
		int index = indexOf(tag);
		if (index < 0) {
			return null;
		}
		int slot = slot(index);
		UnconfirmedSend removed = this.sends[slot];
		this.sends[slot] = null;
		trim();
		return removed;
	}

	/** Removes the sends up to and including this sequence, in publish order. */
	synchronized List<UnconfirmedSend> removeUpTo(long tag) {
		List<UnconfirmedSend> removed = new ArrayList<>();
		while (this.length > 0 && this.tags[this.head] <= tag) {
			UnconfirmedSend send = this.sends[this.head];
			if (send != null) {
				removed.add(send);
			}
			dropHead();
		}
		trim();
		return removed;
	}

	/**
	 * Removes the sends whose confirm deadline has passed. Sends are added in publish
	 * order, so the first one not yet due ends the search.
	 * @param now the {@link System#nanoTime()} to compare deadlines with
	 */
	synchronized List<UnconfirmedSend> removeOverdue(long now) {
		List<UnconfirmedSend> overdue = new ArrayList<>();
		while (this.length > 0) {
			UnconfirmedSend send = this.sends[this.head];
			if (send != null) {
				if (now - send.deadline() < 0) {
					break;
				}
				overdue.add(send);
			}
			dropHead();
		}
		trim();
		return overdue;
	}

	synchronized boolean isEmpty() {
		return this.length == 0;
	}

	/** Binary search over the entries' sequences; the entry's index, or -1. */
	private int indexOf(long tag) {
		int low = 0;
		int high = this.length - 1;
		while (low <= high) {
			int middle = (low + high) >>> 1;
			long found = this.tags[slot(middle)];
			if (found < tag) {
				low = middle + 1;
			}
			else if (found > tag) {
				high = middle - 1;
			}
			else {
				return middle;
			}
		}
		return -1;
	}

	/** The ring's slots (what tests check). */
	synchronized int capacity() {
		return this.sends.length;
	}

	/** Drops the holes at either end, so that the head is always a send. */
	private void trim() {
		while (this.length > 0 && this.sends[this.head] == null) {
			dropHead();
		}
		while (this.length > 0 && this.sends[slot(this.length - 1)] == null) {
			this.length--;
		}
		shrinkIfEmpty();
	}

	private void shrinkIfEmpty() {
		if (this.length == 0 && this.sends.length > KEPT_CAPACITY) {
			this.tags = new long[INITIAL_CAPACITY];
			this.sends = new UnconfirmedSend[INITIAL_CAPACITY];
			this.head = 0;
		}
	}

	private void dropHead() {
		this.sends[this.head] = null;
		this.head = (this.head + 1) & (this.sends.length - 1);
		this.length--;
	}

	private int slot(int index) {
		return (this.head + index) & (this.sends.length - 1);
	}

	/** Doubles the ring (its size stays a power of two), the head moved to slot 0. */
	private void grow() {
		int capacity = this.sends.length * 2;
		long[] newTags = new long[capacity];
		UnconfirmedSend[] newSends = new UnconfirmedSend[capacity];
		for (int i = 0; i < this.length; i++) {
			newTags[i] = this.tags[slot(i)];
			newSends[i] = this.sends[slot(i)];
		}
		this.tags = newTags;
		this.sends = newSends;
		this.head = 0;
	}

}
