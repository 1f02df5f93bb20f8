package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.m13.stage.TestFrames.NODE_MAC;
import static org.m13.stage.TestFrames.STRANGER_MAC;

import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.Wire;

/** The receive chain driven by hand, one event at a time, no threads and no ring. */
class RxChainTest {
    private static final int OFFSET = Wire.UDP_HUB_FRAME_OFFSET;

    @Test
    void everyFrameEndsDeliveredOrDroppedWithItsSlotFreed() {
        SlotPool pool = new SlotPool(8, 2048);
        try (RxChain rx = new RxChain(pool); AesGcm tx = AesGcm.withKey(TestFrames.key(1));
                AesGcm wrong = AesGcm.withKey(TestFrames.key(9))) {
            FrameEvent e = new FrameEvent();
            Stage[] stages = rx.stages();
            int slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 1, Flags.TUNNEL, 1400), 0);
            assertEquals(DropReason.NONE, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 1, Flags.TUNNEL, 1400), 0);
            assertEquals(DropReason.REPLAY_DUPLICATE, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, wrong, 0, 2, Flags.TUNNEL, 64), 0);
            assertEquals(DropReason.AUTH_FAILED, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 2, Flags.FEEDBACK, 24), 0);
            assertEquals(DropReason.NONE, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.CONTROL, 4), 0);
            assertEquals(DropReason.NONE, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 3, Flags.TUNNEL, 40), 0);
            assertEquals(DropReason.CLEARTEXT_REFUSED, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.cleartext(pool, slot, OFFSET, STRANGER_MAC, 0, 0, 0), 0);
            assertEquals(DropReason.NONE, push(stages, e), "a stranger registers");

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, STRANGER_MAC, tx, 0, 3, Flags.TUNNEL, 8), 0);
            assertEquals(DropReason.UNKNOWN_PEER, push(stages, e));

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 4, Flags.FEC, 8), 0);
            assertEquals(DropReason.NO_DESTINATION, push(stages, e), "fec-decode not wired yet");

            slot = pool.alloc();
            e.received(slot, OFFSET, TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.CONTROL | Flags.HANDSHAKE,
                    100), 0);
            assertEquals(DropReason.NONE, push(stages, e));

            assertEquals(0, pool.inUse(), "no slot leaked");
            assertEquals(10, rx.release.released());
            assertEquals(5, rx.release.delivered());
            assertEquals(5, rx.release.dropped());
            assertEquals(rx.stageDrops(), rx.release.dropped(), "drops add up across stages");
            assertEquals(1, rx.tun.frames);
            assertEquals(0, rx.tun.corrupt, "the tunnel body arrived decrypted");
            assertEquals(1, rx.feedback.frames);
            assertEquals(2, rx.control.frames, "echo and registration");
            assertEquals(1, rx.handshakeMessages);
        }
    }

    private static DropReason push(Stage[] stages, FrameEvent e) {
        for (Stage s : stages) {
            s.onEvent(e);
        }
        return e.drop();
    }
}
