package org.m13.telemetry;

import net.openhft.chronicle.bytes.BytesStore;

/**
 * The seqlock writes shared by {@link StageRecord} and {@link PeerRecord}. One thread
 * owns a record; every update is {@code sequence := odd; fields; sequence := even}, each
 * store an ordered (release) write, so a reader that sees the same even sequence before
 * and after its loads saw no half-done update. On x86 these are plain stores: no lock,
 * no fence instruction, no allocation.
 */
abstract class RecordWriter {
    final BytesStore<?, ?> store;
    final long base;
    private long sequence;

    RecordWriter(BytesStore<?, ?> store, long base) {
        this.store = store;
        this.base = base;
        this.sequence = store.readLong(base + TelemetryLayout.SEQUENCE_OFFSET);
    }

    final void begin() {
        store.writeOrderedLong(base + TelemetryLayout.SEQUENCE_OFFSET, ++sequence);
    }

    final void end() {
        store.writeOrderedLong(base + TelemetryLayout.SEQUENCE_OFFSET, ++sequence);
    }

    final void add(int slot, long delta) {
        long at = base + TelemetryLayout.counterOffset(slot);
        store.writeOrderedLong(at, store.readLong(at) + delta);
    }

    final void max(int slot, long value) {
        long at = base + TelemetryLayout.counterOffset(slot);
        if (value > store.readLong(at)) {
            store.writeOrderedLong(at, value);
        }
    }

    final void set(int slot, long value) {
        store.writeOrderedLong(base + TelemetryLayout.counterOffset(slot), value);
    }

    final void addDrop(int reasonId) {
        long at = base + TelemetryLayout.dropOffset(reasonId);
        store.writeOrderedLong(at, store.readLong(at) + 1);
    }

    final void setDrop(int reasonId, long value) {
        store.writeOrderedLong(base + TelemetryLayout.dropOffset(reasonId), value);
    }

    /** The owner's view of one of its counters (tests, and stages that mirror FusedHandler). */
    final long counterValue(int slot) {
        return store.readLong(base + TelemetryLayout.counterOffset(slot));
    }

    static void checkReason(int reasonId) {
        if (reasonId <= 0 || reasonId >= TelemetryLayout.DROP_SLOTS) {
            throw new IllegalArgumentException("drop reason id " + reasonId + " outside 1.." + (TelemetryLayout.DROP_SLOTS - 1));
        }
    }
}
