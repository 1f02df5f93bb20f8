package org.m13.stage;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.sys.OffHeap;

/**
 * Fixed-size frame slots carved out of one {@link OffHeap} region: slot {@code i} is the
 * bytes {@code [i * slotSize, (i + 1) * slotSize)}. Slots are handed out and taken back by
 * index; nothing is allocated after construction.
 *
 * <p>The free slots are a bounded single-producer single-consumer queue of indexes: one
 * thread allocates (the link or tun poller), one thread frees (release), possibly the
 * same. The queue is a ring of {@code 2^k >= slots} ints with a head and a tail sequence
 * published with release/acquire ordering, so no locks are taken.
 *
 * <p>Accounting: every slot is either free or in use; {@link #inUse()} is exact once
 * both threads are quiet, which is what leak checks assert (zero after a pipeline
 * drained). Freeing a slot that is not in use (a double release) is a bug and throws.
 */
public final class SlotPool {
    public static final int NO_SLOT = -1;
    /** A slot large enough for a 1500-byte Ethernet frame plus headroom. */
    public static final int DEFAULT_SLOT_BYTES = 2048;

    private final OffHeap region;
    private final int slotBytes;
    private final int slots;
    private final int[] freeRing;
    private final int mask;
    /** Next free-ring position to take from; written by the allocating thread. */
    private final AtomicLong head = new AtomicLong();
    /** Next free-ring position to put to; written by the freeing thread. */
    private final AtomicLong tail = new AtomicLong();
    /** 1 while a slot is in use; set by the allocator, cleared by the freer (hand-over orders them). */
    private final byte[] inUse;
    private long allocations;
    private long exhausted;
    private long frees;

    /**
     * Allocates the region, every slot free.
     *
     * @param slots number of slots, at least 1
     * @param slotBytes bytes per slot, at least {@link org.m13.wire.Wire#MIN_FRAME_BYTES}
     */
    public SlotPool(int slots, int slotBytes) {
        if (slots < 1 || slots > 1 << 24) {
            throw new IllegalArgumentException("slots " + slots + " outside 1.." + (1 << 24));
        }
        if (slotBytes < org.m13.wire.Wire.MIN_FRAME_BYTES || (long) slots * slotBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(slots + " slots of " + slotBytes + " bytes do not fit one region");
        }
        this.slots = slots;
        this.slotBytes = slotBytes;
        this.region = OffHeap.allocate(slots * slotBytes);
        int ringSize = Integer.highestOneBit(slots) == slots ? slots : Integer.highestOneBit(slots) << 1;
        this.freeRing = new int[ringSize];
        this.mask = ringSize - 1;
        this.inUse = new byte[slots];
        for (int i = 0; i < slots; i++) {
            freeRing[i] = i;
        }
        tail.set(slots);
    }

    /**
     * Takes a free slot (allocating thread only).
     *
     * @return the slot index, or {@link #NO_SLOT} when every slot is in use (counted)
     */
    public int alloc() {
        long h = head.get();
        if (h == tail.getAcquire()) {
            exhausted++;
            return NO_SLOT;
        }
        int slot = freeRing[(int) h & mask];
        head.setRelease(h + 1);
        inUse[slot] = 1;
        allocations++;
        return slot;
    }

    /**
     * Returns a slot (freeing thread only).
     *
     * @throws IllegalStateException if the slot is not in use (freed twice, or never allocated)
     */
    public void free(int slot) {
        Objects.checkIndex(slot, slots);
        if (inUse[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not in use (double release?)");
        }
        inUse[slot] = 0;
        long t = tail.get();
        freeRing[(int) t & mask] = slot;
        tail.setRelease(t + 1);
        frees++;
    }

    /** Whether {@code slot} is allocated; for tests and assertions. */
    public boolean isInUse(int slot) {
        Objects.checkIndex(slot, slots);
        return inUse[slot] != 0;
    }

    /** Buffer index of the slot's first byte. */
    public int base(int slot) {
        return Objects.checkIndex(slot, slots) * slotBytes;
    }

    /** Native address of the slot's first byte. */
    public long address(int slot) {
        return region.address() + base(slot);
    }

    /** The whole region, big endian; use absolute indexes ({@link #base}). */
    public ByteBuffer buffer() {
        return region.buffer();
    }

    /** Native address of the region's first byte. */
    public long address() {
        return region.address();
    }

    public int slotBytes() {
        return slotBytes;
    }

    public int slots() {
        return slots;
    }

    /** Free slots now (exact when both threads are quiet). */
    public int available() {
        return (int) (tail.getAcquire() - head.getAcquire());
    }

    /** Slots in use now (exact when both threads are quiet); a leak check expects 0. */
    public int inUse() {
        return slots - available();
    }

    /** Successful {@link #alloc()} calls (allocating thread's counter). */
    public long allocations() {
        return allocations;
    }

    /** {@link #alloc()} calls that found no free slot. */
    public long exhausted() {
        return exhausted;
    }

    /** {@link #free} calls (freeing thread's counter). */
    public long frees() {
        return frees;
    }
}
