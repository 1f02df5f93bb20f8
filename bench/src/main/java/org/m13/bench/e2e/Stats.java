package org.m13.bench.e2e;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** The order statistics of the report; each takes a non-empty collection. */
public final class Stats {
    private Stats() {
    }

    /** The middle value; for an even count the mean of the two middle values. */
    public static double median(Collection<Double> values) {
        List<Double> v = sorted(values);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /**
     * The nearest-rank percentile: the smallest value with at least {@code p} percent
     * of the values at or below it (the 198th of 200 values for p = 99).
     */
    public static double percentile(Collection<Double> values, double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile " + p + " is not in (0, 100]");
        }
        List<Double> v = sorted(values);
        int rank = (int) Math.ceil(p / 100 * v.size());
        return v.get(Math.max(rank, 1) - 1);
    }

    public static double min(Collection<Double> values) {
        return sorted(values).get(0);
    }

    public static double max(Collection<Double> values) {
        List<Double> v = sorted(values);
        return v.get(v.size() - 1);
    }

    private static List<Double> sorted(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return v;
    }
}
