/**
 * Micrometer observations (and so traces) of the zephcast streams' sends and deliveries.
 */
@NullMarked
package io.zephcast.autoconfigure.rabbit.observation;

import org.jspecify.annotations.NullMarked;
