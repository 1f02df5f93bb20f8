package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.Direction;
import org.m13.wire.EthernetHeader;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class SealTest {
    /** The sealed tunnel frame pinned in docs/PROTOCOL.md and AesGcmTest: key 00..1f, seq 42, node -> hub. */
    private static final String GOLDEN_SEALED = "02005e00530102005e00530288b5" + "d1010100"
            + "fbe7bb6393e96b0e3ede1d4d11b0da8c" + "000000000000002a01000000"
            + "1cfc02fbe150527e5dbe5c3dfc2a12dcd937b90fb48610e31b69c96551355f1e";

    private final SlotPool pool = new SlotPool(4, 2048);
    private final SendSessionTable send = new SendSessionTable(2);
    private final Seal seal = new Seal(pool, send, Direction.NODE_TO_HUB);
    private final AesGcm tx = AesGcm.withKey(TestFrames.key(1));
    private final AesGcm rx = AesGcm.withKey(TestFrames.key(1));

    @AfterEach
    void closeKeys() {
        tx.close();
        rx.close();
    }

    /** What a producer writes: ETH header, flags byte, body; the event says peer and length. */
    private FrameEvent unsealed(int slot, int offset, int peer, int flags, int bodyLength) {
        int length = TestFrames.cleartext(pool, slot, offset, TestFrames.NODE_MAC, 0, 0, bodyLength);
        int frame = TestFrames.frameIndex(pool, slot, offset);
        pool.buffer().put(frame + Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET, (byte) flags);
        return new FrameEvent().received(slot, offset, length, 0).peer(peer);
    }

    @Test
    void sealsThePinnedGoldenFrame() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        byte[] body = "M13 golden frame".getBytes(StandardCharsets.US_ASCII);
        try (AesGcm golden = AesGcm.withKey(key)) {
            send.install(1, 0, golden, 42);
            int slot = pool.alloc();
            int frame = pool.base(slot);
            new EthernetHeader().wrap(pool.buffer(), frame).destination(0x02005e005301L).source(0x02005e005302L)
                    .etherType(Wire.ETHERTYPE_M13);
            pool.buffer().put(frame + Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET, (byte) Flags.TUNNEL);
            pool.buffer().put(frame + Wire.MIN_FRAME_BYTES, body);
            FrameEvent e = new FrameEvent().received(slot, 0, Wire.MIN_FRAME_BYTES + body.length, 0).peer(1);
            seal.onEvent(e);
            assertEquals(DropReason.NONE, e.drop());
            byte[] out = new byte[e.length()];
            pool.buffer().get(frame, out);
            assertEquals(GOLDEN_SEALED, HexFormat.of().formatHex(out));
        }
    }

    /** What seal sends, decrypt opens: sequence numbers 0, 1, 2 ... per peer, key phase carried. */
    @Test
    void decryptOpensWhatSealSealed() {
        send.install(0, 1, tx);
        SessionTable receive = new SessionTable(2);
        receive.install(0, 1, rx);
        Decrypt decrypt = new Decrypt(pool, receive, Direction.HUB_TO_NODE);
        int slot = pool.alloc();
        for (int i = 0; i < 3; i++) {
            FrameEvent e = unsealed(slot, Wire.UDP_HUB_FRAME_OFFSET, 0, Flags.TUNNEL, 700 + i);
            seal.onEvent(e);
            assertEquals(DropReason.NONE, e.drop());
            M13Header h = new M13Header().wrap(pool.buffer(), TestFrames.frameIndex(pool, slot, Wire.UDP_HUB_FRAME_OFFSET));
            assertEquals(Wire.CRYPTO_AES_256_GCM, h.crypto());
            assertEquals(1, h.keyPhase());
            assertEquals(i, h.nonceSeq());
            decrypt.onEvent(e);
            assertEquals(DropReason.NONE, e.drop(), "frame " + i);
            assertEquals(i, h.seq());
            assertEquals(Flags.TUNNEL, h.flags());
            assertEquals(700 + i, h.length());
            assertTrue(TestFrames.bodyMatches(pool.buffer(), h.bodyIndex(), 700 + i, 0), "body intact");
        }
        assertEquals(3, seal.sealed());
        assertEquals(3, decrypt.opened());
    }

    @Test
    void refusesWithoutKeyWhenExhaustedAndOutsideTheSlot() {
        int slot = pool.alloc();
        FrameEvent noKey = unsealed(slot, 0, 1, Flags.TUNNEL, 10);
        seal.onEvent(noKey);
        assertEquals(DropReason.NO_SEND_KEY, noKey.drop());

        send.install(1, 0, tx, SendSessionTable.SEQ_LIMIT - 1);
        FrameEvent last = unsealed(slot, 0, 1, Flags.TUNNEL, 10);
        seal.onEvent(last);
        assertEquals(DropReason.NONE, last.drop(), "the last sequence number is usable");
        FrameEvent over = unsealed(slot, 0, 1, Flags.TUNNEL, 10);
        seal.onEvent(over);
        assertEquals(DropReason.SEQ_EXHAUSTED, over.drop());

        FrameEvent runt = new FrameEvent().received(slot, 0, Wire.MIN_FRAME_BYTES - 1, 0).peer(1);
        seal.onEvent(runt);
        assertEquals(DropReason.SLOT_RANGE, runt.drop());
        FrameEvent overrun = new FrameEvent().received(slot, 100, 2000, 0).peer(1);
        seal.onEvent(overrun);
        assertEquals(DropReason.SLOT_RANGE, overrun.drop());
        assertEquals(5, seal.events());
        assertEquals(4, seal.drops().total());
        assertEquals(1, seal.sealed());
    }

    @Test
    void sealingAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        send.install(0, 0, tx);
        int slot = pool.alloc();
        FrameEvent e = unsealed(slot, 0, 0, Flags.TUNNEL, 1400);
        int length = e.length();
        long failures = sealMany(e, slot, length, 20_000);
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        failures += sealMany(e, slot, length, 100_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, failures);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 100 000 seals");
    }

    private long sealMany(FrameEvent e, int slot, int length, int count) {
        long failures = 0;
        for (int i = 0; i < count; i++) {
            seal.onEvent(e.received(slot, 0, length, 0).peer(0));
            failures += e.isDropped() ? 1 : 0;
        }
        return failures;
    }
}
