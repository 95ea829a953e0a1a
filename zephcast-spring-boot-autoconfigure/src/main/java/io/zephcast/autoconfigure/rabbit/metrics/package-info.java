/**
 * Micrometer meters of the zephcast streams: zephcast's own ({@code zephcast.*}) and
 * amqp-client's connection meters ({@code rabbitmq.*}) for zephcast's connections.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit.metrics;

import org.jspecify.annotations.NullMarked;
