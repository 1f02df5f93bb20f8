package org.m13.telemetry;

import java.util.List;
import java.util.function.LongPredicate;

/** The header and every claimed record, read at {@code takenNanos} on the reader's clock. */
public final class TelemetrySnapshot {
    /** A heartbeat older than this (3 s: three missed beats) makes a live process's writer stale. */
    public static final long STALE_AFTER_NANOS = 3_000_000_000L;

    private final long pid;
    private final long startEpochMillis;
    private final long heartbeatNanos;
    private final long state;
    private final long takenNanos;
    private final List<RecordSnapshot> records;

    public TelemetrySnapshot(long pid, long startEpochMillis, long heartbeatNanos, long state, long takenNanos,
            List<RecordSnapshot> records) {
        this.pid = pid;
        this.startEpochMillis = startEpochMillis;
        this.heartbeatNanos = heartbeatNanos;
        this.state = state;
        this.takenNanos = takenNanos;
        this.records = List.copyOf(records);
    }

    public long pid() {
        return pid;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public long heartbeatNanos() {
        return heartbeatNanos;
    }

    public long takenNanos() {
        return takenNanos;
    }

    public List<RecordSnapshot> records() {
        return records;
    }

    /** Claimed records of {@code kind}, in file order. */
    public List<RecordSnapshot> records(RecordKind kind) {
        return records.stream().filter(r -> r.kind() == kind).toList();
    }

    /** How old the heartbeat was when the snapshot was taken. */
    public long heartbeatAgeNanos() {
        return takenNanos - heartbeatNanos;
    }

    /** The writer's state, given a test of whether a pid is a live process. */
    public WriterStatus writerStatus(LongPredicate pidAlive) {
        if (state == TelemetryLayout.STATE_CLOSED) {
            return WriterStatus.CLOSED;
        }
        if (!pidAlive.test(pid)) {
            return WriterStatus.DEAD;
        }
        return heartbeatAgeNanos() > STALE_AFTER_NANOS ? WriterStatus.STALE : WriterStatus.ALIVE;
    }

    /** {@link #writerStatus(LongPredicate)} against this host's processes. */
    public WriterStatus writerStatus() {
        return writerStatus(TelemetryReader::processAlive);
    }
}
