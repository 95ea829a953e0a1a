package io.zephcast.rabbit.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.zephcast.rabbit.InvalidMessageException;
import org.jspecify.annotations.Nullable;

/**
 * Checks, before anything is published, what the AMQP encoder would refuse: short strings
 * (routing key, message id, correlation id, header names) longer than 255 bytes, table
 * keys that are not strings, and decimals it cannot write. The encoder only finds these
 * once the channel has counted the publish; refusing them here keeps the error clear and
 * names the field.
 */
final class MessageFields {

	static final int MAX_SHORT_STRING_BYTES = 255;

	private MessageFields() {
	}

	static void check(@Nullable String messageId, String field, @Nullable String value) {
		if (value != null && tooLong(value)) {
			throw new InvalidMessageException(messageId, field, "is " + value.getBytes(StandardCharsets.UTF_8).length
					+ " bytes long; AMQP allows at most " + MAX_SHORT_STRING_BYTES, null);
		}
	}

	static void checkHeaders(@Nullable String messageId, Map<?, ?> headers) {
		checkTable(messageId, "headers", headers);
	}

	private static void checkTable(@Nullable String messageId, String path, Map<?, ?> table) {
		for (Map.Entry<?, ?> entry : table.entrySet()) {
			if (!(entry.getKey() instanceof String name)) {
				throw new InvalidMessageException(messageId, path,
						"has a key that is not a String ("
								+ ((entry.getKey() != null) ? entry.getKey().getClass().getName() : "null") + ")",
						null);
			}
			String field = path + "." + name;
			if (tooLong(name)) {
				throw new InvalidMessageException(messageId, field, "name is longer than 255 bytes", null);
			}
			checkValue(messageId, field, entry.getValue());
		}
	}

	private static void checkValue(@Nullable String messageId, String field, @Nullable Object value) {
		if (value instanceof Map<?, ?> table) {
			checkTable(messageId, field, table);
		}
		else if (value instanceof List<?> list) {
			for (Object element : list) {
				checkValue(messageId, field, element);
			}
		}
		else if (value instanceof Object[] array) {
			for (Object element : array) {
				checkValue(messageId, field, element);
			}
		}
		else if (value instanceof BigDecimal decimal
				&& (decimal.scale() < 0 || decimal.scale() > 255 || decimal.unscaledValue().bitLength() > 31)) {
			throw new InvalidMessageException(messageId, field,
					"is a decimal AMQP cannot carry (at most 9 digits and a scale of 0 to 255): " + decimal, null);
		}
	}

	private static boolean tooLong(String value) {
		// a char is at most 3 bytes in UTF-8: only long strings need encoding to be
		// measured
		return value.length() > MAX_SHORT_STRING_BYTES / 3
				&& value.getBytes(StandardCharsets.UTF_8).length > MAX_SHORT_STRING_BYTES;
	}

}
