package io.zephcast.autoconfigure.rabbit;

import io.zephcast.rabbit.ExchangeType;

import org.springframework.core.convert.converter.Converter;

/**
 * Binds {@code zephcast.rabbit.exchange-type} so that a bad value fails with the allowed
 * values rather than a bare "No enum constant".
 */
final class ExchangeTypeConverter implements Converter<String, ExchangeType> {

	@Override
	public ExchangeType convert(String source) {
		return ExchangeType.of(source);
	}

}
