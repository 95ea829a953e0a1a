package io.zephcast.rabbit.internal;

import java.util.concurrent.CompletableFuture;

import io.zephcast.rabbit.SendFailedException;
import io.zephcast.rabbit.SendFailedException.Reason;
import io.zephcast.rabbit.UnroutableMessageException;
import org.jspecify.annotations.Nullable;

/**
 * A send waiting for its confirm ({@link PublishingChannel}): completes the send's future
 * from the broker's answer, or from the reason the answer never came. One of the entries
 * of a {@link PublishSequenceRing}; named for the state it is in, where
 * {@code PendingSend} and {@code PendingSends} read as one thing.
 */
final class UnconfirmedSend {

	private final CompletableFuture<Void> result;

	private final String messageId;

	private final String exchange;

	private final String routingKey;

	private final long deadline;

	private volatile int replyCode;

	private volatile @Nullable String replyText;

	UnconfirmedSend(CompletableFuture<Void> result, String messageId, String exchange, String routingKey,
			long deadline) {
		this.result = result;
		this.messageId = messageId;
		this.exchange = exchange;
		this.routingKey = routingKey;
		this.deadline = deadline;
	}

	String messageId() {
		return this.messageId;
	}

	/** The {@link System#nanoTime()} by which the broker is to have confirmed. */
	long deadline() {
		return this.deadline;
	}

	/** Comes before the confirm of the same message, on the same thread. */
	void returned(int replyCode, String replyText) {
		this.replyCode = replyCode;
		this.replyText = replyText;
	}

	void complete(@Nullable Reason failure, @Nullable String detail) {
		String returnedText = this.replyText;
		if (returnedText != null && failure != Reason.NACKED) {
			// returned, then acked (or its channel closed): routed nowhere, so not
			// stored
			this.result.completeExceptionally(new UnroutableMessageException(this.messageId, this.exchange,
					this.routingKey, this.replyCode, returnedText));
		}
		else if (failure == null) {
			this.result.complete(null);
		}
		else {
			this.result.completeExceptionally(new SendFailedException(
					"Message " + this.messageId + " to exchange '" + this.exchange + "' with routing key '"
							+ this.routingKey + "' " + describe(failure) + ((detail != null) ? ": " + detail : ""),
					this.messageId, failure, null));
		}
	}

	/** Fails the send with an error the client made up (the message was not written). */
	void fail(SendFailedException failure) {
		this.result.completeExceptionally(failure);
	}

	private static String describe(Reason failure) {
		return switch (failure) {
			case NACKED -> "was nacked by the broker (not stored)";
			case TIMEOUT -> "was not confirmed in time (it may have been stored)";
			case CONNECTION_LOST -> "was not confirmed (it may have been stored)";
			default -> "was not sent";
		};
	}

}
