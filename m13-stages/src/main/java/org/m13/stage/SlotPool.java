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
 * <p>Threads: the slots are split into {@link #partitions()} equal partitions, each with
 * its own free list, a bounded single-producer single-consumer queue of indexes (a ring
 * of {@code 2^k} ints with a head and a tail sequence published with release/acquire
 * ordering, no locks). Each partition has one allocating thread (an RX poller, or one of
 * the TX ring's producers: tun-read, control, pqc, feedback); one thread frees every
 * slot (release), possibly the allocator itself. {@link #free} returns a slot to the
 * partition it came from.
 *
 * <p>Accounting: every slot is either free or in use; {@link #inUse()} is exact once the
 * threads are quiet, which is what leak checks assert (zero after a pipeline drained).
 * Freeing a slot that is not in use (a double release) is a bug and throws.
 */
public final class SlotPool {
    public static final int NO_SLOT = -1;
    /** A slot large enough for a 1500-byte Ethernet frame plus headroom. */
    public static final int DEFAULT_SLOT_BYTES = 2048;

    private final OffHeap region;
    private final int slotBytes;
    private final int slots;
    private final int perPartition;
    private final int[][] freeRings;
    private final int mask;
    /** Per partition: next free-ring position to take from; written by its allocating thread. */
    private final AtomicLong[] heads;
    /** Per partition: next free-ring position to put to; written by the freeing thread. */
    private final AtomicLong[] tails;
    /** 1 while a slot is in use; set by the allocator, cleared by the freer (hand-over orders them). */
    private final byte[] inUse;
    /** Per partition, each written by that partition's allocating thread. */
    private final long[] allocations;
    private final long[] exhausted;
    private long frees;

    /** One partition: one allocating thread. */
    public SlotPool(int slots, int slotBytes) {
        this(slots, slotBytes, 1);
    }

    /**
     * Allocates the region, every slot free.
     *
     * @param slots number of slots, at least 1, a multiple of {@code partitions}
     * @param slotBytes bytes per slot, at least {@link org.m13.wire.Wire#MIN_FRAME_BYTES}
     * @param partitions allocating threads, each with {@code slots / partitions} slots
     */
    public SlotPool(int slots, int slotBytes, int partitions) {
        if (slots < 1 || slots > 1 << 24) {
            throw new IllegalArgumentException("slots " + slots + " outside 1.." + (1 << 24));
        }
        if (slotBytes < org.m13.wire.Wire.MIN_FRAME_BYTES || (long) slots * slotBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(slots + " slots of " + slotBytes + " bytes do not fit one region");
        }
        if (partitions < 1 || slots % partitions != 0) {
            throw new IllegalArgumentException(slots + " slots do not split into " + partitions + " partitions");
        }
        this.slots = slots;
        this.slotBytes = slotBytes;
        this.perPartition = slots / partitions;
        this.region = OffHeap.allocate(slots * slotBytes);
        int ringSize = Integer.highestOneBit(perPartition) == perPartition
                ? perPartition : Integer.highestOneBit(perPartition) << 1;
        this.mask = ringSize - 1;
        this.freeRings = new int[partitions][ringSize];
        this.heads = new AtomicLong[partitions];
        this.tails = new AtomicLong[partitions];
        for (int p = 0; p < partitions; p++) {
            for (int i = 0; i < perPartition; i++) {
                freeRings[p][i] = p * perPartition + i;
            }
            heads[p] = new AtomicLong();
            tails[p] = new AtomicLong(perPartition);
        }
        this.inUse = new byte[slots];
        this.allocations = new long[partitions];
        this.exhausted = new long[partitions];
    }

    /** Takes a free slot of partition 0; see {@link #alloc(int)}. */
    public int alloc() {
        return alloc(0);
    }

    /**
     * Takes a free slot of {@code partition} (that partition's allocating thread only).
     *
     * @return the slot index, or {@link #NO_SLOT} when every slot of the partition is in use (counted)
     */
    public int alloc(int partition) {
        AtomicLong head = heads[partition];
        long h = head.get();
        if (h == tails[partition].getAcquire()) {
            exhausted[partition]++;
            return NO_SLOT;
        }
        int slot = freeRings[partition][(int) h & mask];
        head.setRelease(h + 1);
        inUse[slot] = 1;
        allocations[partition]++;
        return slot;
    }

    /**
     * Returns a slot to its partition (the freeing thread only).
     *
     * @throws IllegalStateException if the slot is not in use (freed twice, or never allocated)
     */
    public void free(int slot) {
        Objects.checkIndex(slot, slots);
        if (inUse[slot] == 0) {
            throw new IllegalStateException("slot " + slot + " is not in use (double release?)");
        }
        inUse[slot] = 0;
        int partition = slot / perPartition;
        AtomicLong tail = tails[partition];
        long t = tail.get();
        freeRings[partition][(int) t & mask] = slot;
        tail.setRelease(t + 1);
        frees++;
    }

    /** Whether {@code slot} is allocated; for tests and assertions. */
    public boolean isInUse(int slot) {
        Objects.checkIndex(slot, slots);
        return inUse[slot] != 0;
    }

    /** The partition {@code slot} belongs to. */
    public int partitionOf(int slot) {
        return Objects.checkIndex(slot, slots) / perPartition;
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

    /** Whether {@code [offset, offset + length)} of slot {@code slot} lies inside this pool. */
    public boolean holds(int slot, int offset, int length) {
        return slot >= 0 && slot < slots && offset >= 0 && length >= 0 && offset <= slotBytes - length;
    }

    public int slotBytes() {
        return slotBytes;
    }

    public int slots() {
        return slots;
    }

    public int partitions() {
        return heads.length;
    }

    /** Free slots now, all partitions (exact when the threads are quiet). */
    public int available() {
        long free = 0;
        for (int p = 0; p < heads.length; p++) {
            free += tails[p].getAcquire() - heads[p].getAcquire();
        }
        return (int) free;
    }

    /** Slots in use now (exact when the threads are quiet); a leak check expects 0. */
    public int inUse() {
        return slots - available();
    }

    /** Successful {@link #alloc} calls, all partitions (each partition's allocating thread counts its own). */
    public long allocations() {
        long sum = 0;
        for (long a : allocations) {
            sum += a;
        }
        return sum;
    }

    /** {@link #alloc} calls that found no free slot, all partitions. */
    public long exhausted() {
        long sum = 0;
        for (long e : exhausted) {
            sum += e;
        }
        return sum;
    }

    /** {@link #free} calls (the freeing thread's counter). */
    public long frees() {
        return frees;
    }
}
