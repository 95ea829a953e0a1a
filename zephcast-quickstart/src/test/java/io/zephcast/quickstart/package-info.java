/** The quickstart's test, against a real broker. */
@NullMarked
package io.zephcast.quickstart;

import org.jspecify.annotations.NullMarked;
