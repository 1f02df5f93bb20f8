package org.m13.bench;

import java.nio.ByteBuffer;
import org.m13.crypto.AesGcm;
import org.m13.stage.FrameEvent;
import org.m13.stage.NanoClock;
import org.m13.stage.Release;
import org.m13.stage.Seal;
import org.m13.stage.SendSessionTable;
import org.m13.stage.SlotPool;
import org.m13.wire.Direction;
import org.m13.wire.EthernetHeader;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Frames for the stage benchmarks, made the way the daemons make them: a producer writes
 * ETH, the flags byte and a body into a slot, and the real {@link Seal} stage seals it
 * (node to hub, at the hub's UDP offset).
 */
final class BenchFrames {
    static final long NODE_MAC = 0x02005e005301L;
    static final long HUB_MAC = 0x02005e005302L;
    /** The hub receives over UDP: the frame starts after ETH + IPv4 + UDP. */
    static final int OFFSET = Wire.UDP_HUB_FRAME_OFFSET;
    /** Node to hub: the node seals, the hub (whose own direction is hub to node) opens. */
    static final int SENDER = Direction.NODE_TO_HUB;
    static final int RECEIVER = Direction.HUB_TO_NODE;

    private static final EthernetHeader ETH = new EthernetHeader();

    private BenchFrames() {
    }

    /** The benchmarks' AES-256 key. */
    static AesGcm key() {
        byte[] k = new byte[AesGcm.KEY_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (i * 7 + 3);
        }
        return AesGcm.withKey(k);
    }

    /** Writes what a TX producer writes (ETH, TUNNEL flag, a body) into {@code slot}; returns the frame length. */
    static int plain(SlotPool pool, int slot, int body) {
        ByteBuffer b = pool.buffer();
        int frame = pool.base(slot) + OFFSET;
        ETH.wrap(b, frame).destination(HUB_MAC).source(NODE_MAC).etherType(Wire.ETHERTYPE_M13);
        for (int i = Wire.ETH_HEADER_BYTES; i < Wire.MIN_FRAME_BYTES; i++) {
            b.put(frame + i, (byte) 0);
        }
        b.put(frame + Wire.ETH_HEADER_BYTES + M13Header.FLAGS_OFFSET, (byte) Flags.TUNNEL);
        for (int i = 0; i < body; i++) {
            b.put(frame + Wire.MIN_FRAME_BYTES + i, (byte) (i * 13));
        }
        return Wire.MIN_FRAME_BYTES + body;
    }

    /**
     * Fills every slot of {@code pool} with a sealed frame of {@code body} bytes, seqs 1..slots
     * in slot order, through the real seal stage; returns the frame length.
     */
    static int sealAll(SlotPool pool, AesGcm key, int body) {
        SendSessionTable send = new SendSessionTable(1);
        send.install(0, 0, key);
        Seal seal = new Seal(pool, send, SENDER);
        Release release = new Release(pool, NanoClock.SYSTEM);
        FrameEvent event = new FrameEvent();
        int length = 0;
        int[] slots = new int[pool.slots()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = pool.alloc();
            length = plain(pool, slots[i], body);
            seal.onEvent(event.received(slots[i], OFFSET, length, 0).peer(0));
            if (event.isDropped() || slots[i] != i) {
                throw new IllegalStateException("sealing failed: " + event.drop());
            }
        }
        for (int slot : slots) {
            release.onEvent(event.received(slot, OFFSET, length, 0));
        }
        if (pool.inUse() != 0 || release.dropped() != 0) {
            throw new IllegalStateException("slots left in use");
        }
        return length;
    }
}
