/**
 * Actuator health of the zephcast streams: the {@code zephcast} health contributor, one
 * component per stream.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit.health;

import org.jspecify.annotations.NullMarked;
