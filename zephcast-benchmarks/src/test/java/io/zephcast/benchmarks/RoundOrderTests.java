package io.zephcast.benchmarks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoundOrderTests {

	@Test
	void everyRoundRunsEveryContenderOnce() {
		for (int contenders = 1; contenders <= 9; contenders++) {
			for (int round = 0; round < 20; round++) {
				assertThat(RoundOrder.of(contenders, round)).as("%d contenders, round %d", contenders, round)
					.containsExactlyInAnyOrderElementsOf(IntStream.range(0, contenders).boxed().toList());
			}
		}
	}

	@Test
	void overACycleEachContenderRunsInEachPositionAndFollowsEachOtherEquallyOften() {
		for (int contenders = 2; contenders <= 9; contenders++) {
			int cycle = (contenders % 2 == 0) ? contenders : 2 * contenders;
			int[][] atPosition = new int[contenders][contenders];
			Map<List<Integer>, Integer> follows = new HashMap<>();
			for (int round = 0; round < cycle; round++) {
				List<Integer> order = RoundOrder.of(contenders, round);
				for (int position = 0; position < contenders; position++) {
					atPosition[order.get(position)][position]++;
					if (position > 0) {
						follows.merge(List.of(order.get(position - 1), order.get(position)), 1, Integer::sum);
					}
				}
			}
			int perPosition = cycle / contenders;
			for (int[] positions : atPosition) {
				assertThat(positions).as("%d contenders: runs per position", contenders).containsOnly(perPosition);
			}
			// every ordered pair of two contenders, the same number of times
			assertThat(follows).as("%d contenders: who follows whom", contenders)
				.hasSize(contenders * (contenders - 1));
			assertThat(follows.values()).as("%d contenders: who follows whom", contenders)
				.containsOnly(cycle / contenders);
		}
	}

	@Test
	void roundsAreRoundedUpToAWholeNumberOfPositionCycles() {
		assertThat(RoundOrder.balancedRounds(4, 7)).isEqualTo(8);
		assertThat(RoundOrder.balancedRounds(4, 8)).isEqualTo(8);
		assertThat(RoundOrder.balancedRounds(4, 9)).isEqualTo(12);
		assertThat(RoundOrder.balancedRounds(2, 7)).isEqualTo(8);
		assertThat(RoundOrder.balancedRounds(3, 7)).isEqualTo(9);
		// a smoke run, and a single contender, run as asked
		assertThat(RoundOrder.balancedRounds(4, 1)).isEqualTo(1);
		assertThat(RoundOrder.balancedRounds(1, 7)).isEqualTo(7);
	}

}
