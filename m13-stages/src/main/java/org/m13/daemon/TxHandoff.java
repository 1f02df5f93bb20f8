package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.stage.LinkSender;
import org.m13.sys.OffHeap;

/**
 * link-tx's side of an io_uring link: a bounded single-producer single-consumer queue
 * of sealed frames, each copied into its own pre-allocated native entry, which the
 * reactor thread (the ring's only issuer) turns into send requests and gives back when
 * they complete. No allocation and no lock per frame.
 *
 * <pre>
 *   producer (link-tx)           consumer (reactor)
 *   send(): copy into entry      next()/advance(): one send SQE per entry
 *   tail ---------------------&gt;  done(seq) on its CQE; head moves over finished entries
 *   full (tail - head == entries): send() returns false, link-tx counts LINK_FULL
 * </pre>
 *
 * <p>Sequences are longs that only grow; entry {@code seq & (entries - 1)} holds frame
 * {@code seq}. Sends may complete out of order, so {@link #done} marks an entry and the
 * head advances over the finished prefix only.
 *
 * <p>Waking a parked consumer: the consumer calls {@link #park()} before it waits in the
 * kernel and {@link #unpark()} after; a producer that publishes while the consumer is
 * parked runs the wake-up hook once (an eventfd write), so an idle reactor can sleep
 * without polling and a busy one costs the producer no system call. Both sides use
 * volatile accesses on {@code tail} and {@code parked} (Dekker): either the consumer sees
 * the new frame before it waits, or the producer sees it parked.
 */
public final class TxHandoff implements LinkSender {
    /** How the producer wakes a parked consumer. Must not allocate. */
    @FunctionalInterface
    public interface Wakeup {
        void wake();
    }

    private final int entries;
    private final int mask;
    private final int entryBytes;
    private final OffHeap region;
    private final int[] lengths;
    private final boolean[] done;
    /** Frames published; written by the producer. */
    private final AtomicLong tail = new AtomicLong();
    /** Frames whose entries are free again; written by the consumer. */
    private final AtomicLong head = new AtomicLong();
    private final AtomicInteger parked = new AtomicInteger();
    private final AtomicLong full = new AtomicLong();
    private final AtomicLong oversize = new AtomicLong();
    private final AtomicLong wakeups = new AtomicLong();
    private volatile Wakeup wakeup = () -> { };
    /** Producer: its own copy of tail, and the head it last read. */
    private long produced;
    private long headSeen;
    /** Consumer: the next frame to turn into a request. */
    private long next;

    /**
     * @param entries frames the queue holds, a power of two
     * @param entryBytes bytes per entry (the largest frame)
     */
    public TxHandoff(int entries, int entryBytes) {
        if (entries < 1 || Integer.bitCount(entries) != 1 || entryBytes < 1
                || (long) entries * entryBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad hand-off geometry: " + entries + " entries of " + entryBytes
                    + " bytes (entries: a power of two)");
        }
        this.entries = entries;
        this.mask = entries - 1;
        this.entryBytes = entryBytes;
        this.region = OffHeap.allocate(entries * entryBytes);
        this.lengths = new int[entries];
        this.done = new boolean[entries];
    }

    /** Sets the hook that wakes the consumer (before the producer starts). */
    public void wakeup(Wakeup hook) {
        this.wakeup = hook;
    }

    // ---- producer (link-tx's thread) ----

    /**
     * Copies the frame into the next free entry and publishes it.
     *
     * @return false when every entry is in flight (counted), or the frame is larger than an entry
     */
    @Override
    public boolean send(ByteBuffer buffer, int index, int length) {
        if (length < 0 || length > entryBytes) {
            oversize.incrementAndGet();
            return false;
        }
        long t = produced;
        if (t - headSeen >= entries) {
            headSeen = head.getAcquire();
            if (t - headSeen >= entries) {
                full.setRelease(full.getPlain() + 1);
                return false;
            }
        }
        int i = (int) t & mask;
        region.buffer().put(i * entryBytes, buffer, index, length);
        lengths[i] = length;
        produced = t + 1;
        tail.set(t + 1);
        if (parked.get() != 0 && parked.compareAndSet(1, 0)) {
            wakeups.setRelease(wakeups.getPlain() + 1);
            wakeup.wake();
        }
        return true;
    }

    // ---- consumer (the reactor thread) ----

    /** Whether a published frame waits to be turned into a request. */
    public boolean hasNext() {
        return next != tail.getAcquire();
    }

    /** The sequence of the next frame to send (valid when {@link #hasNext()}). */
    public long nextSequence() {
        return next;
    }

    /** The frame {@link #nextSequence()} is now in flight. */
    public void advance() {
        next++;
    }

    /** Native address of frame {@code seq}. */
    public long address(long seq) {
        return region.address() + base(seq);
    }

    /** Index of frame {@code seq}'s first byte in {@link #buffer()}. */
    public int base(long seq) {
        return ((int) seq & mask) * entryBytes;
    }

    /** The entries, one region (absolute indexes only). */
    public ByteBuffer buffer() {
        return region.buffer();
    }

    public int length(long seq) {
        return lengths[(int) seq & mask];
    }

    /** Frame {@code seq} went out (or failed): its entry may be reused once every earlier one is done. */
    public void done(long seq) {
        done[(int) seq & mask] = true;
        long h = head.getPlain();
        if (seq != h) {
            return;
        }
        while (h < next && done[(int) h & mask]) {
            done[(int) h & mask] = false;
            h++;
        }
        head.setRelease(h);
    }

    /**
     * The consumer is about to wait: true when it may (nothing was published since its
     * last look), false when a frame arrived in between (it is not parked then).
     */
    public boolean park() {
        parked.set(1);
        if (next != tail.get()) {
            parked.set(0);
            return false;
        }
        return true;
    }

    /** The consumer is running again: producers need not wake it. */
    public void unpark() {
        parked.set(0);
    }

    // ---- either thread ----

    public int entries() {
        return entries;
    }

    public int entryBytes() {
        return entryBytes;
    }

    /** Frames in the queue or in flight (exact when both threads are quiet). */
    public long inFlight() {
        return tail.get() - head.get();
    }

    /** Frames published so far. */
    public long published() {
        return tail.get();
    }

    /** Frames refused because every entry was in flight. */
    public long full() {
        return full.get();
    }

    /** Frames refused as larger than an entry. */
    public long oversize() {
        return oversize.get();
    }

    /** Times a producer woke the parked consumer. */
    public long wakeups() {
        return wakeups.get();
    }
}
