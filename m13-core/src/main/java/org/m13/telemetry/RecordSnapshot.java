package org.m13.telemetry;

import java.util.Arrays;
import java.util.Objects;

/** One record as a reader saw it: its kind, name, counter slots and drops by reason id. */
public final class RecordSnapshot {
    private final int index;
    private final RecordKind kind;
    private final String name;
    private final long[] counters;
    private final long[] drops;
    private final boolean consistent;

    /**
     * @param counters {@link TelemetryLayout#COUNTER_SLOTS} values by slot (copied)
     * @param drops {@link TelemetryLayout#DROP_SLOTS} values by reason id (copied)
     * @param consistent false when the seqlock never settled (the writer kept updating)
     */
    public RecordSnapshot(int index, RecordKind kind, String name, long[] counters, long[] drops, boolean consistent) {
        if (counters.length != TelemetryLayout.COUNTER_SLOTS || drops.length != TelemetryLayout.DROP_SLOTS) {
            throw new IllegalArgumentException("counters and drops must have the layout's slot counts");
        }
        this.index = index;
        this.kind = Objects.requireNonNull(kind);
        this.name = Objects.requireNonNull(name);
        this.counters = counters.clone();
        this.drops = drops.clone();
        this.consistent = consistent;
    }

    public int index() {
        return index;
    }

    public RecordKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public boolean consistent() {
        return consistent;
    }

    public long get(TelemetryCounter counter) {
        return counters[counter.slot()];
    }

    /** Drops for reason id {@code reasonId}. */
    public long drops(int reasonId) {
        return drops[reasonId];
    }

    public long drops(DropReason reason) {
        return drops[reason.id()];
    }

    @Override
    public String toString() {
        return kind + " " + name + " " + Arrays.toString(counters);
    }
}
