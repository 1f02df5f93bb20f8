package org.m13.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A region of native memory seen two ways: as a big-endian direct {@link ByteBuffer}
 * for Java flyweights (absolute gets and puts, no copies) and as a raw address for
 * native code (AEAD in place, later the AF_XDP UMEM and io_uring buffers). Created
 * once per region, never per packet.
 */
public final class OffHeap {
    private final ByteBuffer buffer;
    private final long address;

    private OffHeap(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.BIG_ENDIAN);
        this.address = Native.addressOf(buffer);
    }

    /** Allocates a zeroed region of {@code bytes}. */
    public static OffHeap allocate(int bytes) {
        return new OffHeap(ByteBuffer.allocateDirect(bytes));
    }

    /** Views an existing direct buffer (for example one created by native code over a UMEM). */
    public static OffHeap wrap(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("OffHeap needs a direct buffer");
        }
        return new OffHeap(direct.duplicate().clear());
    }

    /** Big-endian view; use absolute indexes only, so positions never matter. */
    public ByteBuffer buffer() {
        return buffer;
    }

    public long address() {
        return address;
    }

    public int capacity() {
        return buffer.capacity();
    }
}
