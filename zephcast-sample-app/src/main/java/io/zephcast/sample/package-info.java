/**
 * The tour: orders through a consumer group of three, a retry, a dead letter, payments on
 * a second stream and the orders' dead letters read by a third.
 */
@NullMarked
package io.zephcast.sample;

import org.jspecify.annotations.NullMarked;
