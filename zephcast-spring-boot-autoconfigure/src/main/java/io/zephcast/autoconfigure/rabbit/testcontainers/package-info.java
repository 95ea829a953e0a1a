/**
 * Testcontainers support: {@code @ServiceConnection} on a {@code RabbitMQContainer}
 * configures zephcast.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit.testcontainers;

import org.jspecify.annotations.NullMarked;
