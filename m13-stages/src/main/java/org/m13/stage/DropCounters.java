package org.m13.stage;

import org.m13.telemetry.DropReason;

/**
 * Frames dropped, by {@link DropReason} reason: a {@code long[]} indexed by {@link DropReason#id()}.
 * Written by one thread (the stage's); read by tests after the thread stopped, later by
 * telemetry.
 */
public final class DropCounters {
    private final long[] counts = new long[DropReason.ID_LIMIT];

    public void count(DropReason reason) {
        counts[reason.id()]++;
    }

    public long get(DropReason reason) {
        return counts[reason.id()];
    }

    /** Every drop counted, whatever the reason ({@link DropReason#NONE} is never counted). */
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
        for (DropReason d : DropReason.values()) {
            if (d != DropReason.NONE && counts[d.id()] != 0) {
                out.append(out.length() > 1 ? ", " : "").append(d.name().toLowerCase(java.util.Locale.ROOT))
                        .append('=').append(counts[d.id()]);
            }
        }
        return out.append('}').toString();
    }
}
