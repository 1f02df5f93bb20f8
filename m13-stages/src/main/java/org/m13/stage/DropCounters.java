package org.m13.stage;

/**
 * Frames dropped, by {@link Drop} reason: a {@code long[]} indexed by {@link Drop#id()}.
 * Written by one thread (the stage's); read by tests after the thread stopped, later by
 * telemetry.
 */
public final class DropCounters {
    private final long[] counts = new long[Drop.ID_LIMIT];

    public void count(Drop reason) {
        counts[reason.id()]++;
    }

    public long get(Drop reason) {
        return counts[reason.id()];
    }

    /** Every drop counted, whatever the reason ({@link Drop#NONE} is never counted). */
    public long total() {
        long sum = 0;
        for (int id = 1; id < counts.length; id++) {
            sum += counts[id];
        }
        return sum;
    }

    /** Human-readable non-zero counters, e.g. {@code auth_failed=3}; for test messages and dumps. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (Drop d : Drop.values()) {
            if (d != Drop.NONE && counts[d.id()] != 0) {
                out.append(out.length() > 1 ? ", " : "").append(d.name().toLowerCase(java.util.Locale.ROOT))
                        .append('=').append(counts[d.id()]);
            }
        }
        return out.append('}').toString();
    }
}
