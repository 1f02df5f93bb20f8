package org.m13.telemetry;

import net.openhft.chronicle.bytes.BytesStore;

/**
 * A stage's counters in the telemetry file. Written only by the thread that runs the
 * stage; each call is one seqlock update (a few ordered stores, no allocation).
 */
public final class StageRecord extends RecordWriter {
    StageRecord(BytesStore<?, ?> store, long base) {
        super(store, base);
    }

    /** One event of {@code bytes} bytes handled. */
    public void event(int bytes) {
        begin();
        add(StageCounter.EVENTS.slot(), 1);
        add(StageCounter.BYTES.slot(), bytes);
        end();
    }

    /** A batch taken from the ring ({@code onBatchStart(batchSize, queueDepth)}). */
    public void batch(long batchSize, long queueDepth) {
        begin();
        add(StageCounter.BATCHES.slot(), 1);
        max(StageCounter.MAX_BATCH.slot(), batchSize);
        max(StageCounter.MAX_QUEUE_DEPTH.slot(), queueDepth);
        end();
    }

    /** A duty cycle (one batch, start to end) took {@code nanos}; the longest is kept. */
    public void dutyCycle(long nanos) {
        begin();
        max(StageCounter.MAX_DUTY_CYCLE_NANOS.slot(), nanos);
        end();
    }

    /**
     * A frame dropped for reason {@code reasonId} ({@code Drop.id()}, see {@link DropReason}).
     *
     * @throws IllegalArgumentException for 0 ({@code NONE}) or an id outside the drop area
     */
    public void drop(int reasonId) {
        checkReason(reasonId);
        begin();
        addDrop(reasonId);
        add(StageCounter.DROPS.slot(), 1);
        end();
    }

    /** The owner's current value of {@code counter}. */
    public long get(StageCounter counter) {
        return counterValue(counter.slot());
    }
}
