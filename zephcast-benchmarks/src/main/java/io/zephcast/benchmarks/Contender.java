package io.zephcast.benchmarks;

import io.zephcast.rabbit.Protocol;

/**
 * A contender: a client family and how it publishes and consumes.
 *
 * @param name the name in the tables
 * @param family which client
 * @param variant the family's publish or consume mode
 */
record Contender(String name, Family family, String variant) {

	enum Family {

		RAW, AMQP10, ZEPHCAST, SPRING

	}

	static final Contender RAW = new Contender("raw amqp-client", Family.RAW, "");

	/**
	 * RabbitMQ's AMQP 1.0 client, raw ({@link Amqp10Session}): the other protocol's
	 * baseline, measured against {@link #RAW} in the protocols scenarios.
	 */
	static final Contender RAW_AMQP10 = new Contender("raw AMQP 1.0 client", Family.AMQP10, "");

	/**
	 * The raw 0-9-1 client sending what zephcast sends (id, timestamp, content type,
	 * mandatory): the 0-9-1 baseline of the protocols scenarios, like for like with
	 * {@link #ZEPHCAST_AMQP091} and with {@link #RAW_AMQP10}'s id and creation time (an
	 * AMQP 1.0 message to an unroutable address is released, as a mandatory one returns).
	 */
	static final Contender RAW_AMQP091 = new Contender("raw 0-9-1 (zephcast's message shape)", Family.RAW, "ZEPHCAST");

	/**
	 * zephcast over AMQP 0-9-1, send and subscribe (the protocols scenarios), a new
	 * client per trial through the public API only.
	 */
	static final Contender ZEPHCAST_AMQP091 = new Contender("zephcast over AMQP 0-9-1", Family.ZEPHCAST, "PUSH");

	/**
	 * zephcast over AMQP 1.0 ({@code protocol(Protocol.AMQP_1_0)}), send and subscribe:
	 * its queues and backlogs are written over AMQP 1.0 as {@link #RAW_AMQP10}'s.
	 */
	static final Contender ZEPHCAST_AMQP10 = new Contender("zephcast over AMQP 1.0", Family.ZEPHCAST, "PUSH_AMQP10");

	static final Contender RAW_ZEPHCAST_PROPERTIES = new Contender("raw + zephcast's message properties", Family.RAW,
			"ZEPHCAST");

	/** The half of zephcast's message properties that is a publish flag. */
	static final Contender RAW_MANDATORY = new Contender("raw + mandatory flag only", Family.RAW, "MANDATORY");

	/** The half of zephcast's message properties that is in the message. */
	static final Contender RAW_ID_AND_TIMESTAMP = new Contender("raw + message id and timestamp only", Family.RAW,
			"ID_AND_TIMESTAMP");

	/** One of the two properties of {@link #RAW_ID_AND_TIMESTAMP}: which one costs. */
	static final Contender RAW_MESSAGE_ID = new Contender("raw + message id only", Family.RAW, "MESSAGE_ID");

	/** The other of the two properties of {@link #RAW_ID_AND_TIMESTAMP}. */
	static final Contender RAW_TIMESTAMP = new Contender("raw + timestamp only", Family.RAW, "TIMESTAMP");

	/**
	 * The raw client in a pull loop ({@link RawSession}'s hand-off): not a target, the
	 * measure of what handing each message to an application thread costs any pull API.
	 */
	static final Contender RAW_HAND_OFF = new Contender("raw, handed to an application thread", Family.RAW, "HANDOFF");

	static final Contender ZEPHCAST_SEND = new Contender("zephcast send", Family.ZEPHCAST, "PUSH");

	static final Contender ZEPHCAST_PUSH = new Contender("zephcast push (subscribe)", Family.ZEPHCAST, "PUSH");

	static final Contender ZEPHCAST_PULL = new Contender("zephcast pull (iterate+ack)", Family.ZEPHCAST, "PULL");

	/**
	 * zephcast pull with {@code receive(Duration)} and {@code ack} in a loop: the other
	 * pull API, the one the backlog scenario's user measured.
	 */
	static final Contender ZEPHCAST_RECEIVE = new Contender("zephcast pull (receive(Duration)+ack)", Family.ZEPHCAST,
			"RECEIVE");

	/**
	 * zephcast send with what a Spring Boot application with actuator gets: zephcast's
	 * meters, amqp-client's connection meters and an observation per send and delivery
	 * (timed by Micrometer's meter handler; no tracer).
	 */
	static final Contender ZEPHCAST_SEND_OBSERVED = new Contender("zephcast send, meters+observations", Family.ZEPHCAST,
			"PUSH_OBSERVED");

	static final Contender ZEPHCAST_PUSH_OBSERVED = new Contender("zephcast push, meters+observations", Family.ZEPHCAST,
			"PUSH_OBSERVED");

	/**
	 * zephcast push with opt-in ack coalescing ({@link ZephcastSession#COALESCING}): not
	 * a target, the measure of what the option saves.
	 */
	static final Contender ZEPHCAST_PUSH_COALESCED = new Contender("zephcast push, acks coalesced (opt-in)",
			Family.ZEPHCAST, "PUSH_COALESCED");

	static final Contender ZEPHCAST_PULL_COALESCED = new Contender("zephcast pull, acks coalesced (opt-in)",
			Family.ZEPHCAST, "PULL_COALESCED");

	static final Contender SPRING_ASYNC = new Contender("RabbitTemplate, futures in flight", Family.SPRING, "ASYNC");

	static final Contender SPRING_SYNC = new Contender("RabbitTemplate, wait each confirm", Family.SPRING, "SYNC");

	static final Contender SPRING_LISTENER = new Contender("Spring listener (SMLC)", Family.SPRING, "ASYNC");

	static final Contender SPRING_BOTH = new Contender("RabbitTemplate async + SMLC", Family.SPRING, "ASYNC");

	Session open(Options options, String queue, int prefetch, int concurrency) throws Exception {
		return switch (this.family) {
			case RAW ->
				new RawSession(options, queue, prefetch, concurrency, messageShape(), this.variant.equals("HANDOFF"))
					.openPublisher();
			case AMQP10 -> new Amqp10Session(options, queue, prefetch, concurrency);
			case ZEPHCAST -> new ZephcastSession(options, queue, prefetch, concurrency,
					ZephcastSession.Mode.valueOf(this.variant.replaceAll("_.*", "")),
					this.variant.endsWith("_OBSERVED"), this.variant.endsWith("_COALESCED"),
					this.variant.endsWith("_AMQP10") ? Protocol.AMQP_1_0 : Protocol.AMQP_0_9_1);
			case SPRING ->
				new SpringSession(options, queue, prefetch, concurrency, SpringSession.Mode.valueOf(this.variant));
		};
	}

	/** A raw variant names its message shape, but for the baseline and the hand-off. */
	private RawSession.MessageShape messageShape() {
		return switch (this.variant) {
			case "", "HANDOFF" -> RawSession.MessageShape.BARE;
			default -> RawSession.MessageShape.valueOf(this.variant);
		};
	}

	/**
	 * Whether the contender speaks AMQP 1.0: its queue is then declared and its backlog
	 * written over AMQP 1.0 ({@link Amqp10Admin}).
	 */
	boolean overAmqp10() {
		return this.family == Family.AMQP10 || this.variant.endsWith("_AMQP10");
	}

	/** The baseline every ratio is against. */
	boolean isRaw() {
		return this == RAW;
	}

}
