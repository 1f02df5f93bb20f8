package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.m13.stage.TestFrames.NODE_MAC;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.FragmentDrop;
import org.m13.wire.Fragmenter;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class HandshakeReassemblyTest {
    private static final int HS_FRAGMENT = Flags.CONTROL | Flags.HANDSHAKE | Flags.FRAGMENT;

    private final SlotPool pool = new SlotPool(8, 2048);
    private final List<byte[]> messages = new ArrayList<>();
    private final List<Integer> peersSeen = new ArrayList<>();
    private long now = 1_000;
    private final HandshakeReassembly reassembly = new HandshakeReassembly(2, 2, () -> now, (peer, buffer, index, length) -> {
        byte[] copy = new byte[length];
        buffer.get(index, copy);
        messages.add(copy);
        peersSeen.add(peer);
    });
    private final Scatter scatter = new Scatter(pool, Sink.UNWIRED, Sink.UNWIRED, reassembly, Sink.UNWIRED,
            Sink.UNWIRED);
    private final Fragmenter fragmenter = new Fragmenter();

    /** Fragment {@code index} of {@code message} as a cleartext handshake frame in a fresh slot. */
    private FrameEvent fragmentFrame(ByteBuffer message, int msgId, int index, int peer) {
        int slot = pool.alloc();
        int frame = TestFrames.frameIndex(pool, slot, 0);
        int body = fragmenter.write(message, 0, message.capacity(), msgId, index, pool.buffer(),
                frame + Wire.MIN_FRAME_BYTES);
        int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, HS_FRAGMENT, 0);
        new M13Header().wrap(pool.buffer(), frame).writeCleartext(index, HS_FRAGMENT, body);
        return new FrameEvent().received(slot, 0, length + body, 0).peer(peer)
                .disposition(Classify.dispositionOf(HS_FRAGMENT));
    }

    private void deliver(FrameEvent e) {
        scatter.onEvent(e);
        pool.free(e.slot());
    }

    @Test
    void fragmentsOutOfOrderBecomeOneMessage() {
        byte[] hello = new byte[5000]; // ML-KEM and ML-DSA material: 4 fragments
        new Random(3).nextBytes(hello);
        ByteBuffer message = ByteBuffer.wrap(hello);
        int[] order = {2, 0, 3, 0, 1}; // with a duplicate
        for (int index : order) {
            FrameEvent e = fragmentFrame(message, 7, index, 1);
            deliver(e);
            assertEquals(DropReason.NONE, e.drop());
        }
        assertEquals(1, messages.size());
        assertArrayEquals(hello, messages.get(0));
        assertEquals(1, peersSeen.get(0));
        assertEquals(1, reassembly.delivered());
        assertEquals(1, reassembly.assembler(1).duplicates());
        assertEquals(0, reassembly.assembler(0).completed(), "per-peer state");
        assertEquals(0, pool.inUse(), "every frame's slot freed; the message lives in the assembler");
    }

    @Test
    void unfragmentedHandshakeBodyGoesStraightThrough() {
        int slot = pool.alloc();
        int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 5, Flags.CONTROL | Flags.HANDSHAKE, 300);
        FrameEvent e = new FrameEvent().received(slot, 0, length, 0).peer(0).disposition(Disposition.HANDSHAKE);
        deliver(e);
        assertEquals(DropReason.NONE, e.drop());
        assertEquals(1, messages.size());
        assertEquals(300, messages.get(0).length);
        assertEquals(true, TestFrames.bodyMatches(ByteBuffer.wrap(messages.get(0)), 0, 300, 5));
    }

    @Test
    void aRejectedFragmentIsRefusedWithTheAssemblersReason() {
        ByteBuffer message = ByteBuffer.wrap(new byte[3000]);
        FrameEvent e = fragmentFrame(message, 1, 0, 0);
        int fragmentHeader = TestFrames.frameIndex(pool, e.slot(), 0) + Wire.MIN_FRAME_BYTES;
        pool.buffer().put(fragmentHeader + 3, (byte) 9); // total 9 > 7
        deliver(e);
        assertEquals(DropReason.FRAGMENT_REFUSED, e.drop());
        assertEquals(1, reassembly.assembler(0).drops(FragmentDrop.BAD_TOTAL));
        assertEquals(1, scatter.drops(DropReason.FRAGMENT_REFUSED));
    }

    @Test
    void peersOutsideTheTableAreRefusedAndStaleMessagesExpire() {
        ByteBuffer message = ByteBuffer.wrap(new byte[3000]);
        FrameEvent stranger = fragmentFrame(message, 1, 0, 2);
        deliver(stranger);
        assertEquals(DropReason.UNKNOWN_PEER, stranger.drop());

        deliver(fragmentFrame(message, 2, 0, 0));
        assertEquals(1, reassembly.assembler(0).incomplete());
        now += 6_000_000_000L;
        assertEquals(1, reassembly.expire(now));
        assertEquals(0, reassembly.assembler(0).incomplete());
        assertEquals(0, messages.size());
    }
}
