package org.m13.telemetry;

import net.openhft.chronicle.bytes.BytesStore;

/**
 * A stage's counters in the telemetry file. Written only by the thread that runs the
 * stage; each call is one seqlock update (a few ordered stores, no allocation).
 *
 * <p>Two ways to feed it, not to be mixed on one record: count into the file as things
 * happen ({@link #event}, {@link #batch}, {@link #dutyCycle}, {@link #drop}), or keep the
 * counters in the stage and copy them in now and then with {@link #publish} (what the
 * stage threads do: the file is then at most one publish interval behind).
 */
public final class StageRecord extends RecordWriter {
    /** Every reason, NONE included ({@code values()} would copy the array on each call). */
    private static final DropReason[] REASONS = DropReason.values();

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
     * A frame dropped for reason {@code reasonId} ({@link DropReason#id()}).
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

    /** {@link #drop(int)} by reason. */
    public void drop(DropReason reason) {
        drop(reason.id());
    }

    /**
     * Overwrites the record with {@code totals} in one seqlock update, so a reader sees
     * every counter of one moment: events, bytes, batches, the maxima, drops by reason,
     * and {@link StageCounter#DROPS} as their sum. No allocation; about 40 ordered stores.
     */
    public void publish(StageTotals totals) {
        begin();
        set(StageCounter.EVENTS.slot(), totals.events());
        set(StageCounter.BYTES.slot(), totals.bytes());
        set(StageCounter.BATCHES.slot(), totals.batches());
        set(StageCounter.MAX_BATCH.slot(), totals.maxBatch());
        set(StageCounter.MAX_QUEUE_DEPTH.slot(), totals.maxQueueDepth());
        set(StageCounter.MAX_DUTY_CYCLE_NANOS.slot(), totals.maxDutyCycleNanos());
        long dropped = 0;
        for (DropReason reason : REASONS) {
            if (reason != DropReason.NONE) {
                long n = totals.drops(reason);
                dropped += n;
                setDrop(reason.id(), n);
            }
        }
        set(StageCounter.DROPS.slot(), dropped);
        end();
    }

    /** The owner's current value of {@code counter}. */
    public long get(StageCounter counter) {
        return counterValue(counter.slot());
    }
}
