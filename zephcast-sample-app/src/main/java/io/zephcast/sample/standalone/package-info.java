/** The same client without Spring. */
@NullMarked
package io.zephcast.sample.standalone;

import org.jspecify.annotations.NullMarked;
