/**
 * Docker Compose support: a {@code rabbitmq} service configures zephcast.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit.docker.compose;

import org.jspecify.annotations.NullMarked;
