package com.example.consumer;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import io.zephcast.rabbit.RabbitMessage;
import io.zephcast.rabbit.RabbitMessageHandler;

import org.springframework.stereotype.Component;

/**
 * Subscribed by the starter when the context starts; returning acks the message.
 */
@Component
public class GreetingHandler implements RabbitMessageHandler {

	private final BlockingQueue<RabbitMessage> received = new LinkedBlockingQueue<>();

	@Override
	public void handle(RabbitMessage message) {
		this.received.add(message);
	}

	public BlockingQueue<RabbitMessage> received() {
		return this.received;
	}

}
