/**
 * The zephcast RabbitMQ client: {@link io.zephcast.rabbit.RabbitClient} and its
 * {@link io.zephcast.rabbit.RabbitConfig}. This package stands on its own: it needs
 * spring-rabbit but nothing of Spring Boot.
 */
@NullMarked
package io.zephcast.rabbit;

import org.jspecify.annotations.NullMarked;
