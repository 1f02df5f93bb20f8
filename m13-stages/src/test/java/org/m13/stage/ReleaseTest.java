package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

class ReleaseTest {
    private final SlotPool pool = new SlotPool(4, 2048);
    private long now = 100;
    private final Release release = new Release(pool, () -> now);

    @Test
    void freesDeliveredAndDroppedFramesAndCountsDropsByReason() {
        FrameEvent delivered = new FrameEvent().received(pool.alloc(), 0, 62, 40);
        FrameEvent auth = new FrameEvent().received(pool.alloc(), 0, 62, 90).drop(DropReason.AUTH_FAILED);
        FrameEvent magic = new FrameEvent().received(pool.alloc(), 0, 62, 95).drop(DropReason.BAD_MAGIC);
        int slot = delivered.slot();
        release.onEvent(delivered);
        release.onEvent(auth);
        release.onEvent(magic);
        assertEquals(0, pool.inUse());
        assertFalse(pool.isInUse(slot));
        assertEquals(FrameEvent.NO_SLOT, delivered.slot());
        assertEquals(3, release.released());
        assertEquals(1, release.delivered());
        assertEquals(2, release.dropped());
        assertEquals(1, release.drops(DropReason.AUTH_FAILED));
        assertEquals(1, release.drops(DropReason.BAD_MAGIC));
        assertEquals(60 + 10 + 5, release.latencyTotalNanos());
        assertEquals(60, release.latencyMaxNanos());
    }

    @Test
    void aSecondReleaseOfTheSameEventChangesNothing() {
        FrameEvent e = new FrameEvent().received(pool.alloc(), 0, 62, 0);
        release.onEvent(e);
        int other = pool.alloc(); // the slot may be reused at once: a second free must not touch it
        release.onEvent(e);
        assertEquals(1, release.released());
        assertEquals(1, release.slotless());
        assertEquals(1, pool.inUse());
        pool.free(other);
    }

    @Test
    void freeingASlotNotInUseIsABug() {
        FrameEvent forged = new FrameEvent().received(2, 0, 62, 0);
        assertThrows(IllegalStateException.class, () -> release.onEvent(forged));
        assertEquals(0, release.released());
    }
}
