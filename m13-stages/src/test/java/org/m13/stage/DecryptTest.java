package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m13.stage.TestFrames.NODE_MAC;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.crypto.ReplayWindow;
import org.m13.telemetry.DropReason;
import org.m13.wire.Direction;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class DecryptTest {
    private static final int PEER = 0;
    private static final int OFFSET = Wire.UDP_HUB_FRAME_OFFSET;

    private final SlotPool pool = new SlotPool(2, 2048);
    private final SessionTable sessions = new SessionTable(2);
    private final Decrypt decrypt = new Decrypt(pool, sessions, TestFrames.RECEIVER_DIRECTION);
    private final AesGcm tx = AesGcm.withKey(TestFrames.key(1));
    private final AesGcm rx = AesGcm.withKey(TestFrames.key(1));
    private final AesGcm otherKey = AesGcm.withKey(TestFrames.key(2));
    private final int slot = pool.alloc();

    DecryptTest() {
        sessions.install(PEER, 0, rx);
    }

    @AfterEach
    void closeKeys() {
        tx.close();
        rx.close();
        otherKey.close();
    }

    private FrameEvent sealedFrame(AesGcm key, int keyPhase, long seq, int flags, int bodyLength) {
        int length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, key, keyPhase, seq, flags, bodyLength);
        return new FrameEvent().received(slot, OFFSET, length, 0).peer(PEER);
    }

    private FrameEvent run(FrameEvent e) {
        decrypt.onEvent(e);
        return e;
    }

    private int body() {
        return TestFrames.frameIndex(pool, slot, OFFSET) + Wire.MIN_FRAME_BYTES;
    }

    @Test
    void opensInPlaceAndChecksTheInnerHeader() {
        FrameEvent e = run(sealedFrame(tx, 0, 5, Flags.TUNNEL, 1400));
        assertEquals(DropReason.NONE, e.drop());
        assertTrue(TestFrames.bodyMatches(pool.buffer(), body(), 1400, 5), "body decrypted in place");
        M13Header h = new M13Header().wrap(pool.buffer(), TestFrames.frameIndex(pool, slot, OFFSET));
        assertEquals(Flags.TUNNEL, h.flags());
        assertEquals(1400, h.length());
        assertEquals(5, sessions.replayWindow(PEER, 0).highest());
        assertEquals(1, decrypt.opened());
    }

    @Test
    void replayIsRefusedBeforeAnyAesWork() {
        assertEquals(DropReason.NONE, run(sealedFrame(tx, 0, 9, Flags.TUNNEL, 64)).drop());
        // Same seq again, sealed with a key the receiver does not have: if AES ran first, the
        // tag would fail; the replay window refuses it before.
        assertEquals(DropReason.REPLAY_DUPLICATE, run(sealedFrame(otherKey, 0, 9, Flags.TUNNEL, 64)).drop());
        assertEquals(DropReason.NONE, run(sealedFrame(tx, 0, 9 + ReplayWindow.WINDOW + 10, Flags.TUNNEL, 64)).drop());
        assertEquals(DropReason.REPLAY_TOO_OLD, run(sealedFrame(tx, 0, 10, Flags.TUNNEL, 64)).drop());
        assertEquals(1, decrypt.drops(DropReason.REPLAY_DUPLICATE));
        assertEquals(1, decrypt.drops(DropReason.REPLAY_TOO_OLD));
        assertEquals(0, decrypt.drops(DropReason.AUTH_FAILED));
    }

    /** A forged frame with a huge seq fails the tag and does not move the window. */
    @Test
    void forgedFrameDoesNotMoveTheWindow() {
        FrameEvent forged = sealedFrame(otherKey, 0, Long.MAX_VALUE, Flags.TUNNEL, 64);
        assertEquals(DropReason.AUTH_FAILED, run(forged).drop());
        assertEquals(0, sessions.replayWindow(PEER, 0).highest());
        assertEquals(DropReason.NONE, run(sealedFrame(tx, 0, 1, Flags.TUNNEL, 64)).drop(), "genuine frames still pass");

        FrameEvent tampered = sealedFrame(tx, 0, 2, Flags.TUNNEL, 64);
        TestFrames.flip(pool, slot, OFFSET, Wire.M13_HEADER_BYTES + 3);
        assertEquals(DropReason.AUTH_FAILED, run(tampered).drop());
        assertEquals(DropReason.NONE, run(sealedFrame(tx, 0, 2, Flags.TUNNEL, 64)).drop(), "seq 2 not burnt by the forgery");
        assertEquals(2, decrypt.drops(DropReason.AUTH_FAILED));
    }

    @Test
    void reflectedFrameIsRefused() {
        // A frame sealed with the receiver's own direction: its own traffic sent back.
        int length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 3, Flags.TUNNEL, 32, 32, 0,
                Direction.HUB_TO_NODE);
        assertEquals(DropReason.REFLECTED, run(new FrameEvent().received(slot, OFFSET, length, 0).peer(PEER)).drop());
        assertEquals(0, sessions.replayWindow(PEER, 0).highest());
    }

    @Test
    void noKeyForThePeerOrKeyPhaseIsNoSession() {
        assertEquals(DropReason.NO_SESSION, run(sealedFrame(tx, 1, 1, Flags.TUNNEL, 16)).drop(), "key phase 1 not installed");
        FrameEvent otherPeer = sealedFrame(tx, 0, 1, Flags.TUNNEL, 16).peer(1);
        assertEquals(DropReason.NO_SESSION, run(otherPeer).drop());
        sessions.install(1, 1, rx);
        assertEquals(DropReason.NONE, run(sealedFrame(tx, 1, 1, Flags.TUNNEL, 16).peer(1)).drop(), "after install");
        assertEquals(2, decrypt.drops(DropReason.NO_SESSION));
    }

    @Test
    void innerChecksRunAfterTheTagVerified() {
        assertEquals(DropReason.RESERVED_FLAG, run(sealedFrame(tx, 0, 1, Flags.TUNNEL | Flags.RESERVED, 16)).drop());
        int length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 2, Flags.TUNNEL, 20, 16, 0,
                TestFrames.SENDER_DIRECTION);
        assertEquals(DropReason.BAD_LENGTH, run(new FrameEvent().received(slot, OFFSET, length, 0).peer(PEER)).drop(),
                "authentic frame whose length field says 16 for a 20-byte body");
        length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, 3, Flags.TUNNEL, 20, 20, 0x40,
                TestFrames.SENDER_DIRECTION);
        assertEquals(DropReason.NONZERO_PADDING, run(new FrameEvent().received(slot, OFFSET, length, 0).peer(PEER)).drop());
        assertEquals(1, decrypt.drops(DropReason.RESERVED_FLAG));
        assertEquals(1, decrypt.drops(DropReason.BAD_LENGTH));
        assertEquals(1, decrypt.drops(DropReason.NONZERO_PADDING));
        assertEquals(0, decrypt.drops(DropReason.AUTH_FAILED));
        assertEquals(3, decrypt.opened(), "all three verified; the inner checks refused them");
    }

    @Test
    void cleartextFramesGetOnlyTheInnerChecks() {
        int length = TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.CONTROL, 4);
        FrameEvent echo = run(new FrameEvent().received(slot, OFFSET, length, 0));
        assertEquals(DropReason.NONE, echo.drop());
        assertEquals(1, decrypt.cleartext());
        assertEquals(0, sessions.replayWindow(PEER, 0).highest(), "cleartext never touches the window");
        assertEquals(0, decrypt.opened());

        assertEquals(DropReason.BAD_LENGTH, run(new FrameEvent().received(slot, OFFSET, length + 1, 0)).drop());
        pool.buffer().put(TestFrames.frameIndex(pool, slot, OFFSET) + Wire.ETH_HEADER_BYTES + M13Header.PADDING_OFFSET,
                (byte) 1);
        assertEquals(DropReason.NONZERO_PADDING, run(new FrameEvent().received(slot, OFFSET, length, 0)).drop());
        assertEquals(3, decrypt.events());
    }
}
