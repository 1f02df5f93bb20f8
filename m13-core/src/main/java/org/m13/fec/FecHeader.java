package org.m13.fec;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;

/**
 * Flyweight over the 8-byte FEC header that opens the body of every FEC-coded frame:
 * source symbols (flags {@code TUNNEL | FEC}: the inner packet follows the header)
 * and repair symbols (flag {@code FEC}: the coded payload follows). Big endian,
 * absolute gets and puts only, so one instance is re-pointed at every frame.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          generation           |     index     |       k       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       m       |   reserved    |             seed              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  data (source) or coded payload (repair) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * generation  sender's generation counter (wraps at 2^16)
 * index       0..k-1: source symbol index; k..k+m-1: repair number r = index - k
 * k           1..{@value Fec#MAX_K}. In a source header the generation's planned size;
 *             in a repair header the number of sources actually in the generation
 *             (a sender may close a generation early), which the decoder uses
 * m           0..{@value Fec#MAX_M}: repairs planned for the generation
 * reserved    0; a receiver drops a header with any bit set
 * seed        with generation, selects the coefficients ({@link Coefficients})
 * </pre>
 *
 * The flyweight does not validate: {@link FecDecoder} decides what a received header
 * may say, {@link FecEncoder} writes only valid ones. Getters return unsigned values.
 */
public final class FecHeader {
    public static final int GENERATION_OFFSET = 0;
    public static final int INDEX_OFFSET = 2;
    public static final int K_OFFSET = 3;
    public static final int M_OFFSET = 4;
    public static final int RESERVED_OFFSET = 5;
    public static final int SEED_OFFSET = 6;
    /** Header size; the symbol starts here. */
    public static final int BYTES = 8;

    private ByteBuffer buffer;
    private int base;

    /**
     * Points the flyweight at the header starting at absolute {@code index}.
     *
     * @throws IndexOutOfBoundsException if the 8 header bytes do not lie within the limit
     */
    @CanIgnoreReturnValue
    public FecHeader wrap(ByteBuffer buffer, int index) {
        if (index < 0 || index > buffer.limit() - BYTES) {
            throw new IndexOutOfBoundsException("FEC header at " + index + " outside limit " + buffer.limit());
        }
        this.buffer = buffer;
        this.base = index;
        return this;
    }

    public int generation() {
        return buffer.getShort(base + GENERATION_OFFSET) & 0xFFFF;
    }

    public int index() {
        return buffer.get(base + INDEX_OFFSET) & 0xFF;
    }

    public int k() {
        return buffer.get(base + K_OFFSET) & 0xFF;
    }

    public int m() {
        return buffer.get(base + M_OFFSET) & 0xFF;
    }

    public int reserved() {
        return buffer.get(base + RESERVED_OFFSET) & 0xFF;
    }

    public int seed() {
        return buffer.getShort(base + SEED_OFFSET) & 0xFFFF;
    }

    /** True if {@link #index()} names a repair symbol ({@code index >= k}). */
    public boolean isRepair() {
        return index() >= k();
    }

    /** Writes the low 16 bits, so a sender may pass its counter unmasked. */
    @CanIgnoreReturnValue
    public FecHeader generation(int generation) {
        buffer.putShort(base + GENERATION_OFFSET, (short) generation);
        return this;
    }

    @CanIgnoreReturnValue
    public FecHeader index(int index) {
        buffer.put(base + INDEX_OFFSET, (byte) index);
        return this;
    }

    @CanIgnoreReturnValue
    public FecHeader k(int k) {
        buffer.put(base + K_OFFSET, (byte) k);
        return this;
    }

    @CanIgnoreReturnValue
    public FecHeader m(int m) {
        buffer.put(base + M_OFFSET, (byte) m);
        return this;
    }

    @CanIgnoreReturnValue
    public FecHeader reserved(int reserved) {
        buffer.put(base + RESERVED_OFFSET, (byte) reserved);
        return this;
    }

    /** Writes the low 16 bits. */
    @CanIgnoreReturnValue
    public FecHeader seed(int seed) {
        buffer.putShort(base + SEED_OFFSET, (short) seed);
        return this;
    }
}
