package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.m13.stage.TestFrames.NODE_MAC;
import static org.m13.stage.TestFrames.STRANGER_MAC;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.EthernetHeader;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class ParseTest {
    private final SlotPool pool = new SlotPool(4, 2048);
    private final MacPeerTable peers = new MacPeerTable(4);
    private final Parse parse = new Parse(pool, peers);
    private final AesGcm key = AesGcm.withKey(TestFrames.key(1));
    private final int slot = pool.alloc();

    ParseTest() {
        assertEquals(0, peers.add(0x02005e0053aaL));
        assertEquals(1, peers.add(NODE_MAC));
        assertEquals(1, peers.add(NODE_MAC), "adding a known MAC finds it");
    }

    @AfterEach
    void closeKey() {
        key.close();
    }

    private FrameEvent run(int offset, int length) {
        FrameEvent e = new FrameEvent().received(slot, offset, length, 0);
        parse.onEvent(e);
        return e;
    }

    @Test
    void goodFramesGetTheirPeerAtEitherPlacement() {
        for (int offset : new int[] {Wire.L2_FRAME_OFFSET, Wire.UDP_HUB_FRAME_OFFSET}) {
            int length = TestFrames.sealed(pool, slot, offset, NODE_MAC, key, 0, 1, Flags.TUNNEL, 100);
            FrameEvent e = run(offset, length);
            assertEquals(DropReason.NONE, e.drop(), "offset " + offset);
            assertEquals(1, e.peer());
        }
        assertEquals(2, parse.events());
        assertEquals(0, parse.drops().total());
    }

    @Test
    void outerCheckFailuresAreDroppedByReason() {
        int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, Flags.CONTROL, 10);
        assertEquals(DropReason.TOO_SHORT, run(0, Wire.MIN_FRAME_BYTES - 1).drop());

        int frame = TestFrames.frameIndex(pool, slot, 0);
        new EthernetHeader().wrap(pool.buffer(), frame).etherType(0x0800);
        assertEquals(DropReason.BAD_ETHERTYPE, run(0, length).drop());
        new EthernetHeader().wrap(pool.buffer(), frame).etherType(Wire.ETHERTYPE_M13);

        int sig = frame + Wire.ETH_HEADER_BYTES;
        pool.buffer().put(sig + M13Header.MAGIC_OFFSET, (byte) 0xD2);
        assertEquals(DropReason.BAD_MAGIC, run(0, length).drop());
        pool.buffer().put(sig + M13Header.MAGIC_OFFSET, (byte) Wire.MAGIC);

        pool.buffer().put(sig + M13Header.VERSION_OFFSET, (byte) 2);
        assertEquals(DropReason.BAD_VERSION, run(0, length).drop());
        pool.buffer().put(sig + M13Header.VERSION_OFFSET, (byte) Wire.VERSION);

        pool.buffer().put(sig + M13Header.CRYPTO_OFFSET, (byte) 2);
        assertEquals(DropReason.BAD_CRYPTO, run(0, length).drop());
        pool.buffer().put(sig + M13Header.CRYPTO_OFFSET, (byte) Wire.CRYPTO_CLEARTEXT);

        pool.buffer().put(sig + M13Header.KEY_PHASE_OFFSET, (byte) 2);
        assertEquals(DropReason.BAD_CRYPTO, run(0, length).drop(), "reserved key-phase bit");
        pool.buffer().put(sig + M13Header.KEY_PHASE_OFFSET, (byte) 0);

        assertEquals(DropReason.NONE, run(0, length).drop(), "repaired frame passes");
        assertEquals(1, parse.drops(DropReason.TOO_SHORT));
        assertEquals(2, parse.drops(DropReason.BAD_CRYPTO));
        assertEquals(6, parse.drops().total());
        assertEquals(7, parse.events());
    }

    @Test
    void framesOutsideTheirSlotAreDropped() {
        int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, 0, 0);
        assertEquals(DropReason.SLOT_RANGE, run(2048 - length + 1, length).drop(), "runs past the slot's end");
        assertEquals(DropReason.SLOT_RANGE, run(-1, length).drop());
        assertEquals(DropReason.SLOT_RANGE, run(0, 2049).drop());
        FrameEvent foreign = new FrameEvent().received(4, 0, length, 0);
        parse.onEvent(foreign);
        assertEquals(DropReason.SLOT_RANGE, foreign.drop(), "slot index beyond the pool");
        assertEquals(DropReason.NONE, run(0, length).drop());
        assertEquals(4, parse.drops(DropReason.SLOT_RANGE));
    }

    @Test
    void unknownPeerMayOnlySendCleartext() {
        int length = TestFrames.sealed(pool, slot, 0, STRANGER_MAC, key, 0, 1, Flags.TUNNEL, 20);
        assertEquals(DropReason.UNKNOWN_PEER, run(0, length).drop());

        length = TestFrames.cleartext(pool, slot, 0, STRANGER_MAC, 0, 0, 0);
        FrameEvent registration = run(0, length);
        assertEquals(DropReason.NONE, registration.drop(), "classify decides what a stranger's cleartext may be");
        assertEquals(FrameEvent.NO_PEER, registration.peer());
        assertEquals(1, parse.drops(DropReason.UNKNOWN_PEER));
    }

    @Test
    void anEventAlreadyDroppedIsPassedBy() {
        FrameEvent e = new FrameEvent().received(slot, 0, 1, 0).drop(DropReason.AUTH_FAILED);
        parse.onEvent(e);
        assertEquals(DropReason.AUTH_FAILED, e.drop());
        assertEquals(0, parse.events());
        assertEquals(0, parse.drops().total());
    }
}
