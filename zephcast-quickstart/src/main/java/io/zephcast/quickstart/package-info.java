/** The quickstart: one stream, one handler, one sender. */
@NullMarked
package io.zephcast.quickstart;

import org.jspecify.annotations.NullMarked;
