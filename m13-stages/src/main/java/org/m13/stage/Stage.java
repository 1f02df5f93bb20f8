package org.m13.stage;

import org.m13.telemetry.DropReason;

/**
 * One job on one frame. A stage knows nothing of threads, cores or rings: a test calls
 * {@link #onEvent} directly, and the topology decides which thread runs it (stages fused
 * on a thread run back to back on each event, see {@link FusedHandler}).
 *
 * <p>Contract: a stage passes an event that is already dropped through untouched
 * (release is the exception: it exists to free those), refuses a frame by
 * {@link FrameEvent#drop(DropReason)} and counting the reason, and never allocates, locks or
 * logs per frame.
 */
public interface Stage {
    /** The stage's role name, as topology files and telemetry call it ("parse", "decrypt", ...). */
    String role();

    void onEvent(FrameEvent event);

    /** Called before each batch the ring delivers; {@code queueDepth} counts events still waiting. */
    default void onBatchStart(long batchSize, long queueDepth) {
    }

    default void onStart() {
    }

    default void onShutdown() {
    }
}
