package io.zephcast.rabbit;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A send's future failed: the broker did not confirm the message. {@link #reason()} says
 * why and {@link #mayHaveBeenStored()} says what resend logic needs to know:
 * <ul>
 * <li>{@code false}: the message is definitely <em>not</em> in any queue (it was invalid,
 * never written, refused while the broker blocked publishing, nacked, or returned
 * unroutable). Sending it again cannot make a duplicate.</li>
 * <li>{@code true}: the message was written but its confirm never came (the connection
 * was lost, or the confirm timeout passed). It may be in the queue; sending it again may
 * make a duplicate, which consumers can recognise by {@link RabbitMessage#messageId()}.
 * </li>
 * </ul>
 */
public class SendFailedException extends RabbitClientException {

	/**
	 * Why a send failed.
	 */
	public enum Reason {

		/**
		 * The message could not be encoded (a field too long, a header the AMQP encoder
		 * cannot write).
		 */
		INVALID(false),

		/**
		 * The broker blocks publishing (a memory or disk alarm): the message was not
		 * written.
		 */
		BLOCKED(false),

		/** No channel could be opened, or it closed before the message was written. */
		NOT_SENT(false),

		/** The broker nacked the message: it took no responsibility for it. */
		NACKED(false),

		/**
		 * The broker returned the message: no queue matched its exchange and routing key.
		 */
		UNROUTABLE(false),

		/**
		 * The message was written but its confirm did not come within the confirm
		 * timeout.
		 */
		TIMEOUT(true),

		/**
		 * The message was written but the channel or connection closed before its
		 * confirm.
		 */
		CONNECTION_LOST(true);

		private final boolean mayHaveBeenStored;

		Reason(boolean mayHaveBeenStored) {
			this.mayHaveBeenStored = mayHaveBeenStored;
		}

		/**
		 * Whether a message that failed for this reason may nevertheless be in a queue.
		 * @return whether it may have been stored
		 */
		public boolean mayHaveBeenStored() {
			return this.mayHaveBeenStored;
		}

		/**
		 * The reason's name in lower case with dashes, e.g. {@code connection-lost}: the
		 * value a metric tag or a log field would use.
		 * @return the tag value
		 */
		public String tag() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	private final @Nullable String messageId;

	private final Reason reason;

	/**
	 * A failed send.
	 * @param message the description, naming the message, exchange and routing key
	 * @param messageId the message id
	 * @param reason why the send failed
	 * @param cause the underlying error, if any
	 */
	public SendFailedException(String message, @Nullable String messageId, Reason reason, @Nullable Throwable cause) {
		super(message, cause);
		this.messageId = messageId;
		this.reason = reason;
	}

	/**
	 * The id of the message that failed, as it was (or would have been) sent.
	 * @return the message id
	 */
	public @Nullable String messageId() {
		return this.messageId;
	}

	/**
	 * Why the send failed.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	/**
	 * Whether the message may be in a queue although its send failed: {@code true} only
	 * when it was written and its confirm was lost (connection lost, confirm timeout).
	 * When {@code false} the message is definitely not stored, and sending it again
	 * cannot make a duplicate.
	 * @return whether the message may have been stored
	 */
	public boolean mayHaveBeenStored() {
		return this.reason.mayHaveBeenStored();
	}

}
