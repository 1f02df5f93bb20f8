package org.m13.linkem;

/** What the emulator does with one received frame; every value but FORWARD is a drop reason. */
public enum Verdict {
    /** Queued; it leaves at its departure time. */
    FORWARD(Counter.FORWARDED),
    /** Lost by the random (Bernoulli) model. */
    LOST_RANDOM(Counter.LOST_RANDOM),
    /** Lost by the Gilbert–Elliott model. */
    LOST_GE(Counter.LOST_GE),
    /** The rate limiter's backlog was at the queue limit (drop-tail). */
    QUEUE_FULL(Counter.QUEUE_FULL),
    /** Every frame slot was in use (frames in flight plus backlog): raise --slots. */
    NO_SLOT(Counter.NO_SLOT),
    /** Larger than a slot, or a GSO super-frame the relay does not cut (UDP): raise --max-frame. */
    OVERSIZE(Counter.OVERSIZE);

    private final Counter counter;

    Verdict(Counter counter) {
        this.counter = counter;
    }

    /** The counter this verdict increments ({@link Counter#FORWARDED} counts at send time). */
    public Counter counter() {
        return counter;
    }
}
