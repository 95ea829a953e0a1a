package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The order contenders run in, round by round: a Williams design. Over a cycle of rounds
 * (n rounds for n contenders, 2n when n is odd) every contender runs once in every
 * position, and follows every other contender equally often.
 * <p>
 * Why not the plain rotation (round r starts with contender r): it balances positions,
 * but every contender then always runs right after the same one. A trial can carry
 * something of the one before it (the broker's and the JVM's state after a queue was
 * deleted, the garbage left), and with a rotation that carry-over lands on the same
 * contender in every round: a per-thread CPU breakdown of publish + consume at prefetch
 * 250 put zephcast push at 1.24x raw's client CPU when it always followed raw sending a
 * message id and timestamp, and at 1.12x when it followed raw or pull.
 */
final class RoundOrder {

	private RoundOrder() {
	}

	/**
	 * The contenders' indexes in the order they run in a round.
	 * @param contenders how many contenders
	 * @param round the round, from 0
	 * @return a permutation of {@code 0..contenders-1}
	 */
	static List<Integer> of(int contenders, int round) {
		// the first row interleaves from both ends: 0, 1, n-1, 2, n-2, ...; each later
		// row adds the round, so each position sees each contender once per n rounds;
		// with n odd the second n rounds run the rows reversed, to balance who follows
		// whom
		List<Integer> order = new ArrayList<>(contenders);
		for (int k = 0; k < contenders; k++) {
			int base = (k % 2 == 1) ? (k + 1) / 2 : (contenders - k / 2) % contenders;
			order.add((base + round) % contenders);
		}
		if (contenders % 2 == 1 && (round / contenders) % 2 == 1) {
			Collections.reverse(order);
		}
		return order;
	}

	/**
	 * The rounds to run for the rounds asked: rounded up to a whole number of
	 * {@code contenders} rounds, so that each contender runs in each position equally
	 * often. A position can weigh on a trial (in the backlog scenario the first trial of
	 * a round runs while the broker still writes the other queues' backlogs), and with 7
	 * rounds of 4 contenders one of them would run first once and the others twice. Fewer
	 * rounds than contenders (a smoke run) run as asked.
	 * @param contenders how many contenders
	 * @param asked the rounds asked for
	 * @return {@code asked}, or the next multiple of {@code contenders} above it
	 */
	static int balancedRounds(int contenders, int asked) {
		if (contenders < 2 || asked < contenders || asked % contenders == 0) {
			return asked;
		}
		return (asked / contenders + 1) * contenders;
	}

}
