package org.m13.stage;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import org.m13.telemetry.DropReason;

/**
 * The ring event: which frame, where, from whom, where it goes and why not. Events are
 * pre-allocated by the ring and reused; they never hold packet bytes, only a
 * {@link SlotPool} slot index and the frame's offset and length within the slot.
 *
 * <pre>
 *   slot        SlotPool index holding the bytes ({@link #NO_SLOT} once released)
 *   offset      frame start within the slot (42 for the hub over UDP, 0 for node / L2)
 *   length      frame bytes from offset (ETH + M13 header + body)
 *   peer        peer index from parse ({@link #NO_PEER} when unknown)
 *   disposition set by classify
 *   drop        first reason a stage refused the frame ({@link DropReason#NONE} if none)
 *   rxNanos     when the producer took the frame off the link or tun
 *   departNanos earliest departure time (send side; 0 = at once)
 * </pre>
 */
public final class FrameEvent {
    public static final int NO_SLOT = -1;
    public static final int NO_PEER = -1;

    private int slot = NO_SLOT;
    private int offset;
    private int length;
    private int peer = NO_PEER;
    private Disposition disposition = Disposition.PENDING;
    private DropReason drop = DropReason.NONE;
    private long rxNanos;
    private long departNanos;
    private boolean handedOff;
    private boolean timer;

    /** Resets the event for a newly received frame (the producer's call). */
    @CanIgnoreReturnValue
    public FrameEvent received(int slot, int offset, int length, long rxNanos) {
        this.slot = slot;
        this.offset = offset;
        this.length = length;
        this.peer = NO_PEER;
        this.disposition = Disposition.PENDING;
        this.drop = DropReason.NONE;
        this.rxNanos = rxNanos;
        this.departNanos = 0;
        this.handedOff = false;
        this.timer = false;
        return this;
    }

    /**
     * Resets the event as a timer tick (the producer's call): no frame; every stage
     * passes it by as dropped, except one that waits for time to pass (scatter's
     * reorder, {@link RingPipeline#wakeAt}).
     */
    @CanIgnoreReturnValue
    public FrameEvent timer(long nowNanos) {
        received(NO_SLOT, 0, 0, nowNanos);
        this.timer = true;
        return this;
    }

    /** Whether this is a timer tick, not a frame. */
    public boolean isTimer() {
        return timer;
    }

    public int slot() {
        return slot;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int peer() {
        return peer;
    }

    @CanIgnoreReturnValue
    public FrameEvent peer(int peer) {
        this.peer = peer;
        return this;
    }

    public Disposition disposition() {
        return disposition;
    }

    @CanIgnoreReturnValue
    public FrameEvent disposition(Disposition disposition) {
        this.disposition = disposition;
        return this;
    }

    public DropReason drop() {
        return drop;
    }

    /** Whether stages should pass the event by: a frame refused, or a timer tick (no frame). */
    public boolean isDropped() {
        return drop != DropReason.NONE || timer;
    }

    /** Marks the frame dropped; the first reason stays (later stages pass a dropped frame by). */
    @CanIgnoreReturnValue
    public FrameEvent drop(DropReason reason) {
        if (drop == DropReason.NONE) {
            drop = reason;
        }
        return this;
    }

    public long rxNanos() {
        return rxNanos;
    }

    public long departNanos() {
        return departNanos;
    }

    @CanIgnoreReturnValue
    public FrameEvent departNanos(long departNanos) {
        this.departNanos = departNanos;
        return this;
    }

    /**
     * Called by a stage that keeps the frame past this event (the scheduler queues it and
     * frees the slot itself once sent): the event loses its slot, and release counts it as
     * handed off instead of freeing it.
     */
    void handOff() {
        slot = NO_SLOT;
        handedOff = true;
    }

    /** Whether a stage took the frame's slot over ({@link Release} then leaves it alone). */
    public boolean isHandedOff() {
        return handedOff;
    }

    /** Called by release once the slot is back in the pool, so a second release is caught. */
    void slotReleased() {
        slot = NO_SLOT;
    }

    @Override
    public String toString() {
        return "FrameEvent{slot=" + slot + ", offset=" + offset + ", length=" + length + ", peer=" + peer
                + ", disposition=" + disposition + ", drop=" + drop + "}";
    }
}
