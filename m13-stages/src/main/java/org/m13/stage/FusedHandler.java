package org.m13.stage;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import com.lmax.disruptor.EventHandler;
import java.util.Objects;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.StageRecord;
import org.m13.telemetry.StageTotals;
import org.m13.telemetry.TelemetryWriter;

/**
 * Stages fused on one ring consumer thread: each event runs through every stage in
 * order, back to back. This is the only place the stages meet the Disruptor.
 *
 * <p>Thread-tier errors: a stage that throws on an event is counted
 * ({@link #faults(int)}), its first exception kept ({@link #firstFault(int)}), and the
 * event is marked {@link DropReason#STAGE_FAULT}, so later stages pass it by and release still
 * frees its slot. Nothing propagates to the ring's processor, whose thread would die and
 * stall the ring when it wraps.
 *
 * <p>Also counts events and batches, the largest batch and the deepest queue seen at a
 * batch start.
 *
 * <p>Telemetry (optional, {@link #telemetry}): one {@link StageRecord} per stage. The
 * stages keep counting in their own fields; at the end of a batch, when the publish
 * interval (default 100 ms) has passed on the handler's clock, this thread copies each
 * stage's counters ({@link StageCounters}) and the thread's batch figures into the
 * stage's record, one seqlock update per record. Per batch that costs two clock reads
 * (which also time the duty cycle); per frame nothing; no lock, no allocation.
 */
public final class FusedHandler implements EventHandler<FrameEvent> {
    /** How often, at most, the counters are copied into telemetry by default: 100 ms. */
    public static final long DEFAULT_PUBLISH_INTERVAL_NANOS = 100_000_000L;

    private final String name;
    private final Stage[] stages;
    private final long[] faults;
    private final RuntimeException[] firstFaults;
    private long events;
    private long batches;
    private long maxBatch;
    private long maxQueueDepth;
    private long maxDutyCycleNanos;
    // telemetry: null records = off; set before the thread starts, then the thread's own
    private StageRecord[] records;
    private Exported[] exported;
    private NanoClock clock;
    private long publishIntervalNanos;
    private long lastPublishNanos;
    private long batchStartNanos;
    private long publishes;

    /**
     * Fuses {@code stages}, run in this order.
     *
     * @param name the thread's name in the topology, e.g. "rx"
     */
    public FusedHandler(String name, Stage... stages) {
        if (stages.length == 0) {
            throw new IllegalArgumentException("thread " + name + " runs no stage");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.stages = stages.clone();
        for (Stage s : this.stages) {
            Objects.requireNonNull(s, "stage");
        }
        this.faults = new long[stages.length];
        this.firstFaults = new RuntimeException[stages.length];
    }

    @Override
    public void onEvent(FrameEvent event, long sequence, boolean endOfBatch) {
        events++;
        for (int i = 0; i < stages.length; i++) {
            try {
                stages[i].onEvent(event);
            } catch (RuntimeException e) {
                faults[i]++;
                if (firstFaults[i] == null) {
                    firstFaults[i] = e;
                }
                event.drop(DropReason.STAGE_FAULT);
            }
        }
        if (endOfBatch && records != null) {
            batchEnd();
        }
    }

    private void batchEnd() {
        long now = clock.nanoTime();
        maxDutyCycleNanos = Math.max(maxDutyCycleNanos, now - batchStartNanos);
        if (now - lastPublishNanos >= publishIntervalNanos) {
            lastPublishNanos = now;
            publishTelemetry();
        }
    }

    @Override
    public void onBatchStart(long batchSize, long queueDepth) {
        if (records != null) {
            batchStartNanos = clock.nanoTime();
        }
        batches++;
        maxBatch = Math.max(maxBatch, batchSize);
        maxQueueDepth = Math.max(maxQueueDepth, queueDepth);
        for (Stage s : stages) {
            s.onBatchStart(batchSize, queueDepth);
        }
    }

    @Override
    public void onStart() {
        for (Stage s : stages) {
            s.onStart();
        }
    }

    @Override
    public void onShutdown() {
        for (Stage s : stages) {
            s.onShutdown();
        }
        if (records != null) {
            publishTelemetry(); // the last figures, including what shutdown discarded
        }
    }

    /**
     * Exports this thread's stages to telemetry with the system clock and the default
     * interval; see {@link #telemetry(TelemetryWriter, String, NanoClock, long)}.
     */
    @CanIgnoreReturnValue
    public FusedHandler telemetry(TelemetryWriter writer, String prefix) {
        return telemetry(writer, prefix, NanoClock.SYSTEM, DEFAULT_PUBLISH_INTERVAL_NANOS);
    }

    /**
     * Exports this thread's stages to telemetry: claims one stage record per stage from
     * {@code writer}, named {@code prefix/role} (e.g. {@code rx/decrypt}; prefix the ring's
     * name), and from then on copies the counters into them at the end of a batch once
     * {@code intervalNanos} have passed on {@code clock} since the last copy, and at
     * shutdown. Each record gets its stage's events, bytes and drops by reason (plus a
     * {@link DropReason#STAGE_FAULT} for each exception the stage threw here) and this
     * thread's batches, largest batch, deepest queue and longest duty cycle.
     *
     * <p>Set-up time (claims records, allocates), once, before the ring starts: the
     * thread's start publishes these fields to it. The writer must outlive the thread.
     */
    @CanIgnoreReturnValue
    public FusedHandler telemetry(TelemetryWriter writer, String prefix, NanoClock clock, long intervalNanos) {
        Objects.requireNonNull(writer, "writer");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(clock, "clock");
        if (records != null) {
            throw new IllegalStateException("thread " + name + " already exports telemetry");
        }
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("publish interval " + intervalNanos + " ns is negative");
        }
        StageRecord[] claimed = new StageRecord[stages.length];
        Exported[] sources = new Exported[stages.length];
        for (int i = 0; i < stages.length; i++) {
            claimed[i] = writer.stage(prefix + "/" + stages[i].role());
            sources[i] = new Exported(i, StageCounters.of(stages[i]));
        }
        this.clock = clock;
        this.publishIntervalNanos = intervalNanos;
        long now = clock.nanoTime();
        this.lastPublishNanos = now - intervalNanos; // the first batch end publishes
        this.batchStartNanos = now;
        this.exported = sources;
        this.records = claimed;
        return this;
    }

    /**
     * Copies every stage's counters into its record now. The handler's thread only (or
     * any thread once it stopped); a no-op without telemetry.
     */
    public void publishTelemetry() {
        if (records == null) {
            return;
        }
        for (int i = 0; i < records.length; i++) {
            records[i].publish(exported[i]);
        }
        publishes++;
    }

    /** Whether {@link #telemetry} was set. */
    public boolean exportsTelemetry() {
        return records != null;
    }

    /** Times the counters were copied into telemetry. */
    public long publishes() {
        return publishes;
    }

    public String name() {
        return name;
    }

    public int stageCount() {
        return stages.length;
    }

    public Stage stage(int index) {
        return stages[index];
    }

    /** Exceptions thrown by stage {@code index}. */
    public long faults(int index) {
        return faults[index];
    }

    /** The first exception stage {@code index} threw, or null. */
    public RuntimeException firstFault(int index) {
        return firstFaults[index];
    }

    public long events() {
        return events;
    }

    public long batches() {
        return batches;
    }

    public long maxBatch() {
        return maxBatch;
    }

    public long maxQueueDepth() {
        return maxQueueDepth;
    }

    /** Longest batch, onBatchStart to the end of its last event; measured only with telemetry. */
    public long maxDutyCycleNanos() {
        return maxDutyCycleNanos;
    }

    /** The wiring, e.g. {@code rx: parse -> decrypt -> classify -> scatter -> release}. */
    public String describe() {
        StringBuilder out = new StringBuilder(name).append(": ");
        for (int i = 0; i < stages.length; i++) {
            out.append(i == 0 ? "" : " -> ").append(stages[i].role());
        }
        return out.toString();
    }

    /** Stage {@code index}'s counters and this thread's batch figures, as its record takes them. */
    private final class Exported implements StageTotals {
        private final int index;
        private final StageCounters counters;

        Exported(int index, StageCounters counters) {
            this.index = index;
            this.counters = counters;
        }

        @Override
        public long events() {
            return counters.events();
        }

        @Override
        public long bytes() {
            return counters.bytes();
        }

        @Override
        public long batches() {
            return batches;
        }

        @Override
        public long maxBatch() {
            return maxBatch;
        }

        @Override
        public long maxQueueDepth() {
            return maxQueueDepth;
        }

        @Override
        public long maxDutyCycleNanos() {
            return maxDutyCycleNanos;
        }

        @Override
        public long drops(DropReason reason) {
            long n = counters.drops(reason);
            return reason == DropReason.STAGE_FAULT ? n + faults[index] : n;
        }
    }
}
