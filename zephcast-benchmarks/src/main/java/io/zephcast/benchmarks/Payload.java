package io.zephcast.benchmarks;

import java.nio.ByteBuffer;

/**
 * The benchmark message: 100 bytes, the first 8 the send time ({@link System#nanoTime()},
 * the same clock on both sides since publisher and consumer share the JVM), the next 4
 * its sequence number in the trial, the rest padding.
 */
final class Payload {

	static final int SIZE = 100;

	private Payload() {
	}

	static byte[] create(long sentNanos, int sequence) {
		byte[] body = new byte[SIZE];
		ByteBuffer buffer = ByteBuffer.wrap(body);
		buffer.putLong(0, sentNanos);
		buffer.putInt(8, sequence);
		for (int i = 12; i < SIZE; i++) {
			body[i] = (byte) ('a' + (i % 26));
		}
		return body;
	}

	static long sentNanos(byte[] body) {
		return ByteBuffer.wrap(body).getLong(0);
	}

	static int sequence(byte[] body) {
		return ByteBuffer.wrap(body).getInt(8);
	}

}
