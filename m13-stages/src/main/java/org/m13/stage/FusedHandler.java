package org.m13.stage;

import com.lmax.disruptor.EventHandler;
import java.util.Objects;
import org.m13.telemetry.DropReason;

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
 * batch start (for telemetry).
 */
public final class FusedHandler implements EventHandler<FrameEvent> {
    private final String name;
    private final Stage[] stages;
    private final long[] faults;
    private final RuntimeException[] firstFaults;
    private long events;
    private long batches;
    private long maxBatch;
    private long maxQueueDepth;

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
    }

    @Override
    public void onBatchStart(long batchSize, long queueDepth) {
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

    /** The wiring, e.g. {@code rx: parse -> decrypt -> classify -> scatter -> release}. */
    public String describe() {
        StringBuilder out = new StringBuilder(name).append(": ");
        for (int i = 0; i < stages.length; i++) {
            out.append(i == 0 ? "" : " -> ").append(stages[i].role());
        }
        return out.toString();
    }
}
