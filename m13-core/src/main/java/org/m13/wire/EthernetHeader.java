package org.m13.wire;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.nio.ByteBuffer;

/**
 * Flyweight over the 14-byte Ethernet header at the start of every M13 frame.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3
 * +-----------+-----------+---+
 * |  dst MAC  |  src MAC  |ET |   ET = EtherType, big endian (0x88B5 for M13)
 * +-----------+-----------+---+
 * </pre>
 *
 * MAC addresses are carried as the low 48 bits of a long, so no arrays are made. In
 * the UDP placement this header travels inside the datagram and only its EtherType
 * is checked; on L2 it is the real link header.
 */
public final class EthernetHeader {
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private ByteBuffer buffer;
    private int start;

    /** Points at the Ethernet header that starts at {@code frameOffset}. */
    @CanIgnoreReturnValue
    public EthernetHeader wrap(ByteBuffer frameBuffer, int frameOffset) {
        this.buffer = frameBuffer;
        this.start = frameOffset;
        return this;
    }

    public long destination() {
        return mac(start + DST_OFFSET);
    }

    public long source() {
        return mac(start + SRC_OFFSET);
    }

    public int etherType() {
        return buffer.getShort(start + ETHERTYPE_OFFSET) & 0xFFFF;
    }

    @CanIgnoreReturnValue
    public EthernetHeader destination(long mac) {
        putMac(start + DST_OFFSET, mac);
        return this;
    }

    @CanIgnoreReturnValue
    public EthernetHeader source(long mac) {
        putMac(start + SRC_OFFSET, mac);
        return this;
    }

    @CanIgnoreReturnValue
    public EthernetHeader etherType(int etherType) {
        buffer.putShort(start + ETHERTYPE_OFFSET, (short) etherType);
        return this;
    }

    private long mac(int at) {
        return ((buffer.getShort(at) & 0xFFFFL) << 32) | (buffer.getInt(at + 2) & 0xFFFF_FFFFL);
    }

    private void putMac(int at, long mac) {
        buffer.putShort(at, (short) (mac >>> 32));
        buffer.putInt(at + 2, (int) mac);
    }
}
