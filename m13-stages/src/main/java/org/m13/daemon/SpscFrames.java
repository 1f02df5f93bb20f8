package org.m13.daemon;

import java.util.concurrent.atomic.AtomicLong;
import org.m13.sys.Native;
import org.m13.sys.OffHeap;

/**
 * A bounded single-producer single-consumer queue of frames copied into pre-allocated
 * native slots: the wire of the in-memory link and TUN ({@link MemoryLink},
 * {@link MemoryTun}). No allocation and no locks per frame: head and tail sequences
 * published with release/acquire ordering.
 */
final class SpscFrames {
    private final OffHeap region;
    private final int slotBytes;
    private final int mask;
    private final int[] lengths;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    /** {@code capacity} frames (rounded up to a power of two) of at most {@code slotBytes}. */
    SpscFrames(int capacity, int slotBytes) {
        int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.region = OffHeap.allocate(size * slotBytes);
        this.slotBytes = slotBytes;
        this.mask = size - 1;
        this.lengths = new int[size];
    }

    /** Copies a frame in (producer): false when full or longer than a slot. */
    boolean offer(long address, int length) {
        long t = tail.get();
        if (length > slotBytes || t - head.getAcquire() > mask) {
            return false;
        }
        int i = (int) t & mask;
        Native.copy(address, region.address() + (long) i * slotBytes, length);
        lengths[i] = length;
        tail.setRelease(t + 1);
        return true;
    }

    /** Copies the oldest frame out (consumer), truncated to {@code max}: its length, or 0 when empty. */
    int poll(long address, int max) {
        long h = head.get();
        if (h == tail.getAcquire()) {
            return 0;
        }
        int i = (int) h & mask;
        int length = Math.min(lengths[i], max);
        Native.copy(region.address() + (long) i * slotBytes, address, length);
        head.setRelease(h + 1);
        return length;
    }

    boolean isEmpty() {
        return head.getAcquire() == tail.getAcquire();
    }

    int size() {
        return (int) (tail.getAcquire() - head.getAcquire());
    }
}
