/**
 * Spring Boot auto-configuration for the zephcast
 * {@link io.zephcast.rabbit.RabbitClient}: binds {@code zephcast.rabbit.*} and wires the
 * client, its connection factory, declarations and listener container.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit;

import org.jspecify.annotations.NullMarked;
