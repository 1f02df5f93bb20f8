package org.m13.wire;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;

/**
 * Flyweight over the 8-byte fragment header that opens the body of a fragment frame
 * (flag {@link Flags#FRAGMENT}). Big endian, read and written with absolute gets and
 * puts only, so one instance is re-pointed at every frame and nothing is allocated.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            msg_id             |     index     |     total     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            offset             |            length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    chunk (length bytes) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * msg_id  sender's message counter (wraps at 2^16)
 * index   0-based fragment number, below total
 * total   fragments in the message, 1..{@value Wire#MAX_FRAGMENTS}
 * offset  byte offset of the chunk in the message, always index * {@value Wire#MAX_FRAGMENT_CHUNK}
 * length  chunk bytes, 1..{@value Wire#MAX_FRAGMENT_CHUNK}; exactly
 *         {@value Wire#MAX_FRAGMENT_CHUNK} in every fragment but the last
 * </pre>
 *
 * The flyweight does not validate: {@link Assembler} decides what a received header
 * may say, {@link Fragmenter} writes only valid ones. Getters return the unsigned value.
 */
public final class FragmentHeader {
    public static final int MSG_ID_OFFSET = 0;
    public static final int INDEX_OFFSET = 2;
    public static final int TOTAL_OFFSET = 3;
    public static final int OFFSET_OFFSET = 4;
    public static final int LENGTH_OFFSET = 6;
    /** Header size; the chunk starts here. Equal to {@link Wire#FRAGMENT_HEADER_BYTES}. */
    public static final int BYTES = Wire.FRAGMENT_HEADER_BYTES;

    private ByteBuffer buffer;
    private int base;

    /**
     * Points the flyweight at the header starting at absolute {@code index}.
     *
     * @throws IndexOutOfBoundsException if the 8 header bytes do not lie within the limit
     */
    @CanIgnoreReturnValue
    public FragmentHeader wrap(ByteBuffer buffer, int index) {
        if (index < 0 || index > buffer.limit() - BYTES) {
            throw new IndexOutOfBoundsException("fragment header at " + index + " outside limit " + buffer.limit());
        }
        this.buffer = buffer;
        this.base = index;
        return this;
    }

    public int msgId() {
        return buffer.getShort(base + MSG_ID_OFFSET) & 0xFFFF;
    }

    public int index() {
        return buffer.get(base + INDEX_OFFSET) & 0xFF;
    }

    public int total() {
        return buffer.get(base + TOTAL_OFFSET) & 0xFF;
    }

    public int offset() {
        return buffer.getShort(base + OFFSET_OFFSET) & 0xFFFF;
    }

    public int length() {
        return buffer.getShort(base + LENGTH_OFFSET) & 0xFFFF;
    }

    /** Writes the low 16 bits, so a sender may pass its counter unmasked. */
    @CanIgnoreReturnValue
    public FragmentHeader msgId(int msgId) {
        buffer.putShort(base + MSG_ID_OFFSET, (short) msgId);
        return this;
    }

    @CanIgnoreReturnValue
    public FragmentHeader index(int index) {
        buffer.put(base + INDEX_OFFSET, (byte) index);
        return this;
    }

    @CanIgnoreReturnValue
    public FragmentHeader total(int total) {
        buffer.put(base + TOTAL_OFFSET, (byte) total);
        return this;
    }

    @CanIgnoreReturnValue
    public FragmentHeader offset(int offset) {
        buffer.putShort(base + OFFSET_OFFSET, (short) offset);
        return this;
    }

    @CanIgnoreReturnValue
    public FragmentHeader length(int length) {
        buffer.putShort(base + LENGTH_OFFSET, (short) length);
        return this;
    }
}
