package org.m13.jitter;

import java.util.Arrays;

/**
 * Puts packets back in sequence order, holding none longer than a bound after its
 * arrival. One instance per received stream, one thread; packets are not copied:
 * the caller passes an int handle (a buffer slot, a UMEM frame index) and gets the
 * handles back in order.
 *
 * <p>Sequence numbers are a dense unsigned 64-bit count of the positions the sender
 * filled; a position that will never carry a packet for this buffer (a repair or
 * control frame sharing the counter) is {@link #skip skipped} so it does not hold the
 * packets behind it. The first packet offered sets the next expected position.
 *
 * <p>Rules:
 * <ul>
 * <li>{@link #poll} releases the packet at the next position if it is here;
 * <li>if the packet at the next position is missing, the packets behind the gap wait,
 *     but only until the oldest of them (by arrival) reaches its deadline, arrival +
 *     delay: then every position up to it is given up (counted lost), and the held
 *     packets before it are released in order, so no packet is ever released after
 *     its deadline (provided {@link #poll} is called by {@link #nextDeadline()});
 * <li>a packet for a position already passed ({@link #LATE}) is the caller's to
 *     deliver at once, out of order: late beats lost for the inner TCP;
 * <li>a packet too far ahead for the ring ({@link #capacity()} positions) is refused
 *     with {@link #NO_ROOM}; the following polls release, in order and gaps given
 *     up, what is needed to make room;
 * <li>duplicates are refused ({@link #DUPLICATE}).
 * </ul>
 * Delay: {@link #delayFor} derives a default from the measured jitter (the RFC 3550
 * estimate); FEC recovery adds its own wait, so the pipeline sets the bound to cover
 * both.
 */
public final class JitterBuffer {
    /** The packet is held; {@link #poll} will release it. */
    public static final int HELD = 1;
    /** Position already passed: deliver the packet now, out of order. */
    public static final int LATE = 2;
    /** Position already held. The caller frees the packet. */
    public static final int DUPLICATE = 0;
    /**
     * Position too far ahead for the ring: the caller drains {@link #poll} (which now
     * gives up the positions needed, in order) and offers the packet again.
     */
    public static final int NO_ROOM = -2;
    /** {@link #poll}: nothing to release now. */
    public static final int NONE = -1;

    private static final int EMPTY = -1;
    private static final int SKIPPED = -2;

    private final int capacity;
    private final int mask;
    private final int[] handles;
    private final long[] arrival;
    /** Positions held, in arrival order (so deadline order); entries below next are stale. */
    private final long[] fifo;
    private int fifoHead;
    private int fifoSize;

    private long delayNanos;
    private boolean started;
    private long next;
    private long flushBefore;
    private int held;

    private long released;
    private long lost;
    private long late;
    private long duplicates;

    /**
     * @param capacity positions the ring spans, a power of two, 2..65536
     * @param delayNanos bound on the time a packet is held, at least 0
     */
    public JitterBuffer(int capacity, long delayNanos) {
        if (capacity < 2 || capacity > 65536 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity " + capacity + " not a power of two in 2..65536");
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        handles = new int[capacity];
        arrival = new long[capacity];
        fifo = new long[2 * capacity];
        Arrays.fill(handles, EMPTY);
        delay(delayNanos);
    }

    /**
     * Default bound from the measured jitter J: 4 J + 2 ms, within 5..200 ms. Four
     * times the mean deviation covers most of a roughly exponential spread; the floor
     * covers scheduling noise, the ceiling keeps an interactive session usable.
     */
    public static long delayFor(long jitterMicros) {
        long nanos = jitterMicros * 4_000L + 2_000_000L;
        return Math.max(5_000_000L, Math.min(200_000_000L, nanos));
    }

    /** Changes the bound; packets already held keep their arrival time. */
    public void delay(long delayNanos) {
        if (delayNanos < 0) {
            throw new IllegalArgumentException("delay " + delayNanos + " is negative");
        }
        this.delayNanos = delayNanos;
    }

    public long delayNanos() {
        return delayNanos;
    }

    /**
     * Offers a packet for position {@code seq}.
     *
     * @param handle the caller's reference to the packet, at least 0
     * @return {@link #HELD}, {@link #LATE}, {@link #DUPLICATE} or {@link #NO_ROOM}
     */
    public int offer(long seq, int handle, long nowNanos) {
        if (handle < 0) {
            throw new IllegalArgumentException("handle " + handle + " is negative");
        }
        if (!started) {
            start(seq);
        }
        if (Long.compareUnsigned(seq, next) < 0) {
            late++;
            return LATE;
        }
        if (seq - next >= capacity) {
            long needed = seq - capacity + 1;
            if (Long.compareUnsigned(needed, flushBefore) > 0) {
                flushBefore = needed;
            }
            return NO_ROOM;
        }
        int slot = (int) (seq & mask);
        if (handles[slot] >= 0) {
            duplicates++;
            return DUPLICATE;
        }
        handles[slot] = handle;
        arrival[slot] = nowNanos;
        if (fifoSize == fifo.length) {
            compact();
        }
        fifo[(fifoHead + fifoSize) % fifo.length] = seq;
        fifoSize++;
        held++;
        return HELD;
    }

    /**
     * The fast path for a packet that is in order: if {@code seq} is the next position
     * (after any skipped ones), the position is passed and the caller delivers the
     * packet at once, without offering (or copying) it; packets held behind it may now
     * be due ({@link #poll}).
     *
     * @return whether the caller should deliver it now; if false, {@link #offer} it
     */
    public boolean passThrough(long seq) {
        if (!started) {
            start(seq);
        }
        passSkipped();
        if (seq != next || handles[(int) (seq & mask)] >= 0) {
            return false; // a gap before it, or a duplicate of a held packet: offer decides
        }
        next++;
        released++;
        return true;
    }

    private void passSkipped() {
        int slot = (int) (next & mask);
        while (handles[slot] == SKIPPED) {
            handles[slot] = EMPTY;
            next++;
            slot = (int) (next & mask);
        }
    }

    /**
     * Marks position {@code seq} as one that will carry no packet for this buffer, so
     * it does not hold the packets behind it. Positions passed or beyond the ring are
     * ignored (one beyond the ring then costs at most the delay bound).
     */
    public void skip(long seq) {
        if (!started) {
            start(seq);
        }
        if (Long.compareUnsigned(seq, next) < 0 || seq - next >= capacity) {
            return;
        }
        int slot = (int) (seq & mask);
        if (handles[slot] == EMPTY) {
            handles[slot] = SKIPPED;
        }
    }

    /**
     * Releases the next packet due: the one at the next position if here; across a
     * gap, the next one held once the oldest held packet reached its deadline (or room
     * was needed). Call until it returns {@link #NONE}.
     *
     * @return the packet's handle, or {@link #NONE}
     */
    public int poll(long nowNanos) {
        while (started) {
            int slot = (int) (next & mask);
            int h = handles[slot];
            if (h == SKIPPED) {
                handles[slot] = EMPTY;
                next++;
                continue;
            }
            if (h >= 0) {
                handles[slot] = EMPTY;
                next++;
                held--;
                released++;
                return h;
            }
            boolean flush = Long.compareUnsigned(next, flushBefore) < 0;
            if (!flush && (held == 0 || nowNanos - oldestArrival() < delayNanos)) {
                return NONE;
            }
            next++;
            lost++;
        }
        return NONE;
    }

    /**
     * When {@link #poll} must be called next for the bound to hold: the oldest held
     * packet's deadline, or {@link Long#MAX_VALUE} if none is held.
     */
    public long nextDeadline() {
        return held == 0 ? Long.MAX_VALUE : oldestArrival() + delayNanos;
    }

    /** Arrival time of the oldest packet held (held > 0); drops stale FIFO entries. */
    private long oldestArrival() {
        while (Long.compareUnsigned(fifo[fifoHead], next) < 0) {
            fifoHead = (fifoHead + 1) % fifo.length;
            fifoSize--;
        }
        return arrival[(int) (fifo[fifoHead] & mask)];
    }

    /** Keeps the FIFO entries still held (at or above next), in order. */
    private void compact() {
        int kept = 0;
        for (int i = 0; i < fifoSize; i++) {
            long seq = fifo[(fifoHead + i) % fifo.length];
            if (Long.compareUnsigned(seq, next) >= 0) {
                fifo[kept++] = seq;
            }
        }
        fifoHead = 0;
        fifoSize = kept;
    }

    private void start(long seq) {
        started = true;
        next = seq;
        flushBefore = seq;
    }

    public int capacity() {
        return capacity;
    }

    /** Packets held now. */
    public int held() {
        return held;
    }

    /** The next position to release. */
    public long next() {
        return next;
    }

    public long released() {
        return released;
    }

    /** Positions given up: no packet came for them within the bound. */
    public long lost() {
        return lost;
    }

    /** Packets offered after their position was passed (delivered out of order by the caller). */
    public long late() {
        return late;
    }

    public long duplicates() {
        return duplicates;
    }
}
