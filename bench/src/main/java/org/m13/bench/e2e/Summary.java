package org.m13.bench.e2e;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every metric of every tunnel per run, their combination over the runs (the median,
 * or for start-up rows the p90 or the worst) and its ratio to the reference column
 * (wireguard-go).
 */
public final class Summary {
    private final Map<Tunnel, Map<Metric, SortedMap<Integer, Double>>> perRun;
    private final int runs;
    private final int satRuns;
    private final int startTrials;

    private Summary(Map<Tunnel, Map<Metric, SortedMap<Integer, Double>>> perRun, int runs, int satRuns,
            int startTrials) {
        this.perRun = perRun;
        this.runs = runs;
        this.satRuns = satRuns;
        this.startTrials = startTrials;
    }

    /** The same number of runs for the veth and the satellite workloads. */
    public static Summary of(RawData data, int runs) {
        return of(data, runs, runs);
    }

    /**
     * {@code runs}, {@code satRuns}: how many runs of the veth and of the satellite
     * workloads the harness was asked for (meta.txt), for "2 of 3".
     */
    public static Summary of(RawData data, int runs, int satRuns) {
        return of(data, runs, satRuns, 0);
    }

    /** As above, with {@code startTrials} extra start-up trials per satellite scenario. */
    public static Summary of(RawData data, int runs, int satRuns, int startTrials) {
        Map<Tunnel, Map<Integer, Map<String, Double>>> scalars = new EnumMap<>(Tunnel.class);
        Map<Tunnel, Map<Integer, Map<String, List<Double>>>> rtts = new EnumMap<>(Tunnel.class);
        for (RawData.Sample s : data.samples()) {
            scalars.computeIfAbsent(s.tunnel(), t -> new TreeMap<>())
                    .computeIfAbsent(s.run(), r -> new HashMap<>()).put(s.metric(), s.value());
        }
        for (RawData.Rtt r : data.rtts()) {
            rtts.computeIfAbsent(r.tunnel(), t -> new TreeMap<>())
                    .computeIfAbsent(r.run(), x -> new HashMap<>())
                    .computeIfAbsent(r.series(), x -> new ArrayList<>()).add(r.ms());
        }
        Map<Tunnel, Map<Metric, SortedMap<Integer, Double>>> perRun = new EnumMap<>(Tunnel.class);
        for (Tunnel t : Tunnel.values()) {
            Map<Integer, Map<String, Double>> ts = scalars.getOrDefault(t, Map.of());
            Map<Integer, Map<String, List<Double>>> tr = rtts.getOrDefault(t, Map.of());
            TreeSet<Integer> runNumbers = new TreeSet<>(ts.keySet());
            runNumbers.addAll(tr.keySet());
            Map<Metric, SortedMap<Integer, Double>> byMetric = new EnumMap<>(Metric.class);
            for (int run : runNumbers) {
                Metric.RunValues values = new Metric.RunValues(ts.getOrDefault(run, Map.of()), tr.getOrDefault(run, Map.of()));
                for (Metric m : Metric.values()) {
                    OptionalDouble v = m.of(values);
                    if (v.isPresent()) {
                        byMetric.computeIfAbsent(m, x -> new TreeMap<>()).put(run, v.getAsDouble());
                    }
                }
            }
            perRun.put(t, byMetric);
        }
        return new Summary(perRun, runs, satRuns, startTrials);
    }

    public int runs() {
        return runs;
    }

    public int satRuns() {
        return satRuns;
    }

    /** The runs asked for of this metric's workload. */
    public int runs(Metric m) {
        return m.satelliteStart() ? satRuns + startTrials : m.satellite() ? satRuns : runs;
    }

    /** Extra start-up trials per satellite scenario (beyond the start of each run). */
    public int startTrials() {
        return startTrials;
    }

    /** The value of each run that has one, by run number. */
    public SortedMap<Integer, Double> perRun(Tunnel t, Metric m) {
        return perRun.getOrDefault(t, Map.of()).getOrDefault(m, new TreeMap<>());
    }

    /** How many runs gave this metric a value. */
    public int count(Tunnel t, Metric m) {
        return perRun(t, m).size();
    }

    /** The row's value: the runs' values combined as the metric says (median, p90 or worst). */
    public OptionalDouble value(Tunnel t, Metric m) {
        SortedMap<Integer, Double> v = perRun(t, m);
        if (v.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(switch (m.across()) {
            case MEDIAN -> Stats.median(v.values());
            case P90 -> Stats.percentile(v.values(), 90);
            case MAX -> Stats.max(v.values());
        });
    }

    /** value(t) / value(reference); empty without both, or when the reference is 0. */
    public OptionalDouble ratio(Tunnel t, Metric m) {
        OptionalDouble v = value(t, m);
        OptionalDouble ref = value(Tunnel.REFERENCE, m);
        if (v.isEmpty() || ref.isEmpty() || ref.getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(v.getAsDouble() / ref.getAsDouble());
    }

    /** Whether any tunnel has a value for this metric. */
    public boolean has(Metric m) {
        for (Tunnel t : Tunnel.values()) {
            if (count(t, m) > 0) {
                return true;
            }
        }
        return false;
    }

    public boolean has(Metric.Group g) {
        for (Metric m : Metric.values()) {
            if (m.group() == g && has(m)) {
                return true;
            }
        }
        return false;
    }
}
