package io.zephcast.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The trials of one scenario and its table. Throughput is the median over the rounds; its
 * ratio to raw is the median of the per-round ratios (each contender against the raw
 * client of the same round, which ran minutes apart at most); latency percentiles come
 * from all rounds' histograms merged.
 */
final class ScenarioResult {

	/** One measured run of one contender. */
	record Trial(Contender contender, int round, long messages, double seconds, Histogram latency, String note,
			double[] cpu) {

		double rate() {
			return (this.seconds > 0) ? this.messages / this.seconds : 0;
		}

	}

	final String key;

	final String title;

	final String latencyMeaning;

	private final Map<Contender, List<Trial>> trials = new LinkedHashMap<>();

	/**
	 * What the ratio columns are against: the raw client, else (the protocols scenarios,
	 * whose 0-9-1 baseline sends zephcast's message shape) the first contender.
	 */
	private final Contender baseline;

	ScenarioResult(String key, String title, String latencyMeaning, List<Contender> contenders) {
		this.key = key;
		this.title = title;
		this.latencyMeaning = latencyMeaning;
		contenders.forEach((contender) -> this.trials.put(contender, new ArrayList<>()));
		this.baseline = contenders.contains(Contender.RAW) ? Contender.RAW : contenders.get(0);
	}

	/** The contender the ratio columns are against. */
	Contender baseline() {
		return this.baseline;
	}

	List<Contender> contenders() {
		return List.copyOf(this.trials.keySet());
	}

	void add(Trial trial) {
		this.trials.get(trial.contender()).add(trial);
	}

	boolean has(Contender contender) {
		return this.trials.containsKey(contender) && !this.trials.get(contender).isEmpty();
	}

	double medianRate(Contender contender) {
		return median(this.trials.get(contender).stream().mapToDouble(Trial::rate).toArray());
	}

	/** Median over rounds of (contender rate / baseline rate in the same round). */
	double rateRatio(Contender contender) {
		return rateRatio(contender, this.baseline);
	}

	/** Median over rounds of (contender rate / baseline rate in the same round). */
	double rateRatio(Contender contender, Contender baseline) {
		List<Double> ratios = new ArrayList<>();
		for (Trial trial : this.trials.get(contender)) {
			Trial base = roundOf(baseline, trial.round());
			if (base != null && base.rate() > 0) {
				ratios.add(trial.rate() / base.rate());
			}
		}
		return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
	}

	/**
	 * Median over rounds of (contender client CPU per message / baseline client CPU per
	 * message in the same round).
	 */
	double clientCpuRatio(Contender contender, Contender baseline) {
		List<Double> ratios = new ArrayList<>();
		for (Trial trial : this.trials.get(contender)) {
			Trial base = roundOf(baseline, trial.round());
			if (base != null && base.cpu() != null && trial.cpu() != null && base.cpu()[0] > 0) {
				ratios.add(trial.cpu()[0] / base.cpu()[0]);
			}
		}
		return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
	}

	Histogram latency(Contender contender) {
		Histogram merged = new Histogram(3);
		for (Trial trial : this.trials.get(contender)) {
			merged.add(trial.latency());
		}
		return merged;
	}

	/** Median over rounds of (contender p99 / raw p99 in the same round). */
	double p99Ratio(Contender contender) {
		List<Double> ratios = new ArrayList<>();
		for (Trial trial : this.trials.get(contender)) {
			Trial raw = roundOf(this.baseline, trial.round());
			if (raw != null && raw.latency().getTotalCount() > 0 && trial.latency().getTotalCount() > 0) {
				ratios.add((double) trial.latency().getValueAtPercentile(99)
						/ Math.max(1, raw.latency().getValueAtPercentile(99)));
			}
		}
		return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
	}

	private Trial roundOf(Contender contender, int round) {
		for (Trial trial : this.trials.getOrDefault(contender, List.of())) {
			if (trial.round() == round) {
				return trial;
			}
		}
		return null;
	}

	String render() {
		StringBuilder out = new StringBuilder();
		out.append("### ").append(this.title).append('\n');
		out.append("latency = ")
			.append(this.latencyMeaning)
			.append("; p50/p99 over all rounds; ratios = median over rounds of (contender / ")
			.append(this.baseline.name())
			.append(" of the same round)\n\n");
		out.append("| contender | msg/s (median) | msg/s min-max | p50 ms | p99 ms | msg/s vs raw | p99 vs raw "
				+ "| client CPU us/msg | JIT CPU us/msg | broker CPU us/msg | notes |\n");
		out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
		for (Map.Entry<Contender, List<Trial>> entry : this.trials.entrySet()) {
			Contender contender = entry.getKey();
			List<Trial> list = entry.getValue();
			if (list.isEmpty()) {
				continue;
			}
			double min = list.stream().mapToDouble(Trial::rate).min().orElse(0);
			double max = list.stream().mapToDouble(Trial::rate).max().orElse(0);
			Histogram latency = latency(contender);
			String note = list.get(list.size() - 1).note();
			out.append("| ")
				.append(contender.name())
				.append(" | ")
				.append(rate(medianRate(contender)))
				.append(" | ")
				.append(rate(min))
				.append('-')
				.append(rate(max))
				.append(" | ")
				.append(millis(latency, 50))
				.append(" | ")
				.append(millis(latency, 99))
				.append(" | ")
				.append(contender.equals(this.baseline) ? "1.00x" : ratio(rateRatio(contender)))
				.append(" | ")
				.append(contender.equals(this.baseline) ? "1.00x" : ratio(p99Ratio(contender)))
				.append(" | ")
				.append(micros(median(list.stream().mapToDouble((trial) -> trial.cpu()[0]).toArray())))
				.append(" | ")
				.append(micros(median(list.stream().mapToDouble((trial) -> trial.cpu()[2]).toArray())))
				.append(" | ")
				.append(micros(median(list.stream().mapToDouble((trial) -> trial.cpu()[1]).toArray())))
				.append(" | ")
				.append((note != null) ? note : "")
				.append(" |\n");
		}
		if (this.key.startsWith(ProtocolScenarios.PREFIX)) {
			out.append(ProtocolScenarios.pairs(this));
		}
		return out.toString();
	}

	static String rate(double rate) {
		return String.format(Locale.ROOT, "%,.0f", rate);
	}

	static String micros(double micros) {
		return Double.isNaN(micros) ? "n/a" : String.format(Locale.ROOT, "%.1f", micros);
	}

	static String ratio(double ratio) {
		return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio);
	}

	private static String millis(Histogram histogram, double percentile) {
		if (histogram.getTotalCount() == 0) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%.2f", histogram.getValueAtPercentile(percentile) / 1000.0);
	}

	static double median(double[] values) {
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		java.util.Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

}
