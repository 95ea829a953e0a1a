package io.zephcast.sample;

import java.math.BigDecimal;

/**
 * The payment the sample requests for each processed order, published to the second
 * stream ({@code zephcast.rabbit.streams.payments}).
 *
 * @param orderId the order paid for
 * @param amount the amount to charge
 */
public record PaymentEvent(String orderId, BigDecimal amount) {

}
