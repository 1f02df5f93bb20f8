package org.m13.telemetry;

/**
 * Running totals that a stage's thread keeps itself (plain fields, since start), as
 * {@link StageRecord#publish(StageTotals)} copies them into the file. The stage thread
 * of m13-stages ({@code FusedHandler}) implements it over each stage's own counters, so
 * the hot path counts once, in the stage, and the file is brought up to date now and
 * then, off the per-frame path.
 */
public interface StageTotals {
    /** Events the stage handled. */
    long events();

    /** Frame bytes the stage handled, 0 where the stage does not know them. */
    long bytes();

    /** Batches the stage's thread took from its ring. */
    long batches();

    long maxBatch();

    /** Deepest ring backlog seen at a batch start. */
    long maxQueueDepth();

    /** Longest duty cycle (one batch, start to end) in nanoseconds, 0 if not measured. */
    long maxDutyCycleNanos();

    /** Frames dropped for {@code reason} (never asked for {@link DropReason#NONE}). */
    long drops(DropReason reason);
}
