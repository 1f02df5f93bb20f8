package org.m13.telemetry;

/**
 * Counter slots of a stage record. Slot numbers are stable (the file layout and the
 * monitor depend on them): add new counters with new slots below
 * {@link TelemetryLayout#COUNTER_SLOTS}, never renumber.
 */
public enum StageCounter implements TelemetryCounter {
    EVENTS(0, "events", "events_total", CounterKind.COUNTER, "Events the stage handled"),
    BYTES(1, "bytes", "bytes_total", CounterKind.COUNTER, "Frame bytes the stage handled"),
    BATCHES(2, "batches", "batches_total", CounterKind.COUNTER, "Batches the stage's thread took from its ring"),
    MAX_BATCH(3, "maxBatch", "max_batch", CounterKind.MAX, "Largest batch seen"),
    MAX_QUEUE_DEPTH(4, "maxQueue", "max_queue_depth", CounterKind.MAX, "Deepest ring backlog seen at a batch start"),
    MAX_DUTY_CYCLE_NANOS(5, "maxDuty", "max_duty_cycle_seconds", CounterKind.MAX,
            "Longest duty cycle (one batch, start to end)"),
    DROPS(6, "drops", "dropped_total", CounterKind.COUNTER, "Frames dropped, all reasons");

    private final int slot;
    private final String label;
    private final String metric;
    private final CounterKind kind;
    private final String help;

    StageCounter(int slot, String label, String metric, CounterKind kind, String help) {
        this.slot = slot;
        this.label = label;
        this.metric = metric;
        this.kind = kind;
        this.help = help;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String metric() {
        return metric;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public CounterKind kind() {
        return kind;
    }

    @Override
    public double divisor() {
        return this == MAX_DUTY_CYCLE_NANOS ? 1e9 : 1.0;
    }
}
