package org.m13.stage;

import java.nio.ByteBuffer;
import org.m13.crypto.AesGcm;
import org.m13.wire.Direction;
import org.m13.wire.EthernetHeader;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

/**
 * Writes M13 frames into pool slots as a sender would. The body's first 8 bytes carry
 * the frame's seq (when the body has room), the rest a pattern, so a sink can check
 * that what it got is the decrypted body of the right frame without allocating.
 */
final class TestFrames {
    static final long NODE_MAC = 0x02005e005301L;
    static final long HUB_MAC = 0x02005e005302L;
    static final long STRANGER_MAC = 0x02005e0053ffL;
    /** The node seals node->hub; the hub (the receiver in these tests) opens. */
    static final int SENDER_DIRECTION = Direction.NODE_TO_HUB;
    static final int RECEIVER_DIRECTION = Direction.HUB_TO_NODE;

    private static final EthernetHeader ETH = new EthernetHeader();
    private static final M13Header HEADER = new M13Header();

    private TestFrames() {
    }

    static byte[] key(int seed) {
        byte[] k = new byte[AesGcm.KEY_BYTES];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i);
        }
        return k;
    }

    /** A cleartext frame at {@code offset} of {@code slot}; returns the frame length. */
    static int cleartext(SlotPool pool, int slot, int offset, long sourceMac, long seq, int flags, int bodyLength) {
        int frame = header(pool, slot, offset, sourceMac, bodyLength);
        HEADER.wrap(pool.buffer(), frame).writeCleartext(seq, flags, bodyLength);
        body(pool.buffer(), frame, seq, bodyLength);
        return Wire.MIN_FRAME_BYTES + bodyLength;
    }

    /** An AES-256-GCM frame sealed with {@code key}; returns the frame length. */
    static int sealed(SlotPool pool, int slot, int offset, long sourceMac, AesGcm key, int keyPhase, long seq,
            int flags, int bodyLength) {
        return sealed(pool, slot, offset, sourceMac, key, keyPhase, seq, flags, bodyLength, bodyLength, 0,
                SENDER_DIRECTION);
    }

    /**
     * A sealed frame that may lie inside the encryption: a length field other than the body
     * length, a non-zero padding byte, any direction. Returns the frame length.
     */
    static int sealed(SlotPool pool, int slot, int offset, long sourceMac, AesGcm key, int keyPhase, long seq,
            int flags, int bodyLength, int lengthField, int paddingByte, int direction) {
        int frame = header(pool, slot, offset, sourceMac, bodyLength);
        HEADER.wrap(pool.buffer(), frame).writeForSeal(keyPhase, flags, lengthField);
        pool.buffer().put(frame + Wire.ETH_HEADER_BYTES + M13Header.PADDING_OFFSET, (byte) paddingByte);
        body(pool.buffer(), frame, seq, bodyLength);
        int status = key.sealFrame(pool.address() + frame + Wire.ETH_HEADER_BYTES,
                Wire.M13_HEADER_BYTES + bodyLength, seq, direction);
        if (status != 0) {
            throw new AssertionError("seal failed: " + status);
        }
        return Wire.MIN_FRAME_BYTES + bodyLength;
    }

    /** Absolute index of the frame at {@code offset} of {@code slot}. */
    static int frameIndex(SlotPool pool, int slot, int offset) {
        return pool.base(slot) + offset;
    }

    /** Flips one bit of the byte at {@code sig + sigOffset}. */
    static void flip(SlotPool pool, int slot, int offset, int sigOffset) {
        int at = frameIndex(pool, slot, offset) + Wire.ETH_HEADER_BYTES + sigOffset;
        pool.buffer().put(at, (byte) (pool.buffer().get(at) ^ 0x01));
    }

    /** Whether the body at {@code bodyIndex} is the pattern {@link #cleartext}/{@link #sealed} wrote for {@code seq}. */
    static boolean bodyMatches(ByteBuffer buffer, int bodyIndex, int bodyLength, long seq) {
        if (bodyLength >= 8 && buffer.getLong(bodyIndex) != seq) {
            return false;
        }
        for (int i = Math.min(bodyLength, 8); i < bodyLength; i++) {
            if (buffer.get(bodyIndex + i) != (byte) (i + seq)) {
                return false;
            }
        }
        return true;
    }

    private static int header(SlotPool pool, int slot, int offset, long sourceMac, int bodyLength) {
        if (offset + Wire.MIN_FRAME_BYTES + bodyLength > pool.slotBytes()) {
            throw new IllegalArgumentException("frame does not fit the slot");
        }
        int frame = frameIndex(pool, slot, offset);
        ETH.wrap(pool.buffer(), frame).destination(HUB_MAC).source(sourceMac).etherType(Wire.ETHERTYPE_M13);
        return frame;
    }

    private static void body(ByteBuffer buffer, int frame, long seq, int bodyLength) {
        int body = frame + Wire.MIN_FRAME_BYTES;
        if (bodyLength >= 8) {
            buffer.putLong(body, seq);
        }
        for (int i = Math.min(bodyLength, 8); i < bodyLength; i++) {
            buffer.put(body + i, (byte) (i + seq));
        }
    }
}
