package org.m13.stage;

import java.util.Objects;
import org.m13.telemetry.DropReason;

/**
 * Last stage of every chain: returns the frame's slot to the pool, delivered or dropped,
 * and counts each dropped frame by its reason, so the drops of all stages before it add
 * up here. Also records the time from {@link FrameEvent#rxNanos()} to release.
 *
 * <p>An event whose slot a stage took over ({@link FrameEvent#isHandedOff()}, the
 * scheduler) is counted in {@link #handedOff()}. Any other event without a slot
 * (released twice, or published without one) is counted in
 * {@link #slotless()} and changes nothing; freeing a slot the pool does not hold as in
 * use throws (a bug the stage thread records).
 */
public final class Release implements Stage {
    private final SlotPool pool;
    private final NanoClock clock;
    private final DropCounters drops = new DropCounters();
    private long released;
    private long delivered;
    private long slotless;
    private long handedOff;
    private long latencyTotalNanos;
    private long latencyMaxNanos;

    private final String role;
    private Observer observer = Observer.NONE;

    /** Sees every event release frees (the daemon's per-peer telemetry); must not allocate or block. */
    @FunctionalInterface
    public interface Observer {
        Observer NONE = event -> {
        };

        void onRelease(FrameEvent event);
    }

    /** Installs the observer (before the ring starts). */
    public void observe(Observer observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** The RX ring's release ({@code "release"}). */
    public Release(SlotPool pool, NanoClock clock) {
        this(pool, clock, "release");
    }

    /** A release under another role name: each ring ends in its own ({@code "tx-release"} on the TX ring). */
    public Release(SlotPool pool, NanoClock clock, String role) {
        this.pool = pool;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.role = Objects.requireNonNull(role, "role");
    }

    @Override
    public String role() {
        return role;
    }

    @Override
    public void onEvent(FrameEvent event) {
        int slot = event.slot();
        if (slot == FrameEvent.NO_SLOT) {
            if (event.isTimer()) {
                return; // a tick, not a frame
            }
            if (event.isHandedOff()) {
                handedOff++;
            } else {
                slotless++;
            }
            return;
        }
        observer.onRelease(event);
        pool.free(slot);
        event.slotReleased();
        released++;
        if (event.isDropped()) {
            drops.count(event.drop());
        } else {
            delivered++;
        }
        long latency = clock.nanoTime() - event.rxNanos();
        latencyTotalNanos += latency;
        latencyMaxNanos = Math.max(latencyMaxNanos, latency);
    }

    /** Slots returned to the pool. */
    public long released() {
        return released;
    }

    /** Released frames nobody dropped. */
    public long delivered() {
        return delivered;
    }

    /** Released frames some stage dropped ({@link #drops(DropReason)} by reason). */
    public long dropped() {
        return drops.total();
    }

    /** Events whose slot a stage took over (the scheduler frees it once the frame left). */
    public long handedOff() {
        return handedOff;
    }

    /** Events that reached release without a slot (and not handed off). */
    public long slotless() {
        return slotless;
    }

    public long drops(DropReason reason) {
        return drops.get(reason);
    }

    public DropCounters drops() {
        return drops;
    }

    /** Sum over released frames of release time minus {@link FrameEvent#rxNanos()}. */
    public long latencyTotalNanos() {
        return latencyTotalNanos;
    }

    public long latencyMaxNanos() {
        return latencyMaxNanos;
    }
}
