/**
 * The machinery behind {@link io.zephcast.rabbit.RabbitClient}: connecting, publishing,
 * consuming, settling, retrying and the lifecycle. <strong>Not API:</strong> every type
 * here may change or go away in any release, a patch release included; use
 * {@code io.zephcast.rabbit} only. Types here are public only where the API package
 * delegates to them.
 */
@NullMarked
package io.zephcast.rabbit.internal;

import org.jspecify.annotations.NullMarked;
