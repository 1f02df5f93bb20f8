package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntToLongFunction;
import org.m13.fec.Fec;
import org.m13.jitter.JitterBuffer;
import org.m13.sys.OffHeap;
import org.m13.telemetry.DropReason;

/**
 * tun-order, on scatter's thread: puts each peer's tunnel packets back in the order
 * the peer sent them before they are written to TUN, holding none longer than a bound.
 * Without it the inner TCP sees every packet FEC rebuilds arrive after the ones that
 * followed it (and every packet the link reordered), and answers with duplicate ACKs
 * and spurious fast retransmits.
 *
 * <p>Positions come from the FEC header: source {@code index} of generation
 * {@code g} is position {@code g * 32 + index} ({@value Fec#MAX_K} sources at most), in
 * one {@link JitterBuffer} per peer. A generation is closed (its unused positions
 * skipped, so they hold nothing) when a repair tells its real size, or, for a
 * generation without repairs (m = 0: nothing could fill a gap in it), when the next
 * generation starts. Packets in order pass without a copy; a packet behind a gap is
 * copied into this stage's store until the gap fills (a rebuilt packet, a late one)
 * or its bound passes; a packet for a position already given up is written at once.
 * Tunnel packets without FEC (a peer with {@code fec.enabled: false}) carry no
 * position and are written as they come.
 *
 * <p>The bound: {@code fec.reorder-ms} if set, else {@link JitterBuffer#delayFor} of the
 * jitter this side measures on the peer's frames plus {@code fec.max-delay-ms} (the
 * longest a generation waits for its repairs). {@link #poll} must run by
 * {@link #nextDeadline()}: scatter calls it on every event and on the timer events
 * the link poller publishes when that deadline passes ({@link RxTimer}).
 */
public final class TunReorder {
    /** Writes one packet to TUN with the tun-write checks. */
    @FunctionalInterface
    public interface Writer {
        DropReason write(int peer, ByteBuffer buffer, int index, long address, int length);
    }

    /** Positions per generation: a source index is below {@value Fec#MAX_K}. */
    static final int SPAN = Fec.MAX_K;
    /**
     * Generations a peer's buffer spans (2048 positions, about 56 KiB per peer): a
     * generation closed while beyond the span cannot skip its unused positions, which
     * then cost the bound.
     */
    static final int GENERATIONS = 64;
    /** Packets held at once, all peers (about 1.5 MiB). */
    static final int STORE_PACKETS = 1024;
    private static final int STORE_SLOT = 1536;
    /**
     * A generation this far from the newest is a restarted sender (or one back after a
     * long outage), not a late packet: the peer starts afresh.
     */
    static final int RESTART_DISTANCE = GENERATIONS;

    private final Writer writer;
    private final long fixedDelayNanos;
    private final long fecWaitNanos;
    private final IntToLongFunction jitterMicros;
    private final Peer[] peers;
    private final OffHeap storeRegion = OffHeap.allocate(STORE_PACKETS * STORE_SLOT);
    private final ByteBuffer store = storeRegion.buffer();
    private final long storeAddress = storeRegion.address();
    private final int[] lengths = new int[STORE_PACKETS];
    private final int[] free = new int[STORE_PACKETS];
    private int freeCount;
    private int heldTotal;
    /** The timer tick asked for (the earliest bound of a held packet), and whether it changed. */
    private long wakeAt = Long.MAX_VALUE;
    private boolean wakeChanged;

    private long passed;
    private long reordered;
    private long late;
    private long givenUp;
    private long storeFull;
    private long restarts;
    private long refusedLater;

    /** One peer's order: its buffer and what it knows of its recent generations. */
    private static final class Peer {
        JitterBuffer buffer;
        boolean started;
        /** Extended (64-bit) number of the newest generation seen. */
        long newest;
        final long[] generation = new long[GENERATIONS];
        final int[] highest = new int[GENERATIONS];
        final int[] planned = new int[GENERATIONS];
        final boolean[] closed = new boolean[GENERATIONS];

        Peer(long delayNanos) {
            buffer = new JitterBuffer(SPAN * GENERATIONS, delayNanos);
            Arrays.fill(generation, -1);
        }

        /** The state slot of generation {@code g}, taken over (nothing known yet) if it held an older one. */
        int track(long g) {
            int s = (int) (g % GENERATIONS);
            if (generation[s] != g) {
                generation[s] = g;
                highest[s] = -1;
                planned[s] = -1;
                closed[s] = false;
            }
            return s;
        }
    }

    /**
     * @param reorderNanos the bound, or -1 for the default from the measured jitter
     * @param fecWaitNanos added to the measured bound: {@code fec.max-delay-ms}
     * @param jitterMicros the jitter measured on a peer's frames (feedback-out's), us
     */
    public TunReorder(int capacity, Writer writer, long reorderNanos, long fecWaitNanos,
            IntToLongFunction jitterMicros) {
        this.writer = writer;
        this.fixedDelayNanos = reorderNanos;
        this.fecWaitNanos = fecWaitNanos;
        this.jitterMicros = jitterMicros;
        this.peers = new Peer[capacity];
        for (int i = 0; i < STORE_PACKETS; i++) {
            free[i] = STORE_PACKETS - 1 - i;
        }
        freeCount = STORE_PACKETS;
    }

    private long delayFor(int peer) {
        return fixedDelayNanos >= 0 ? fixedDelayNanos
                : JitterBuffer.delayFor(jitterMicros.applyAsLong(peer)) + fecWaitNanos;
    }

    /**
     * A source symbol's packet (received or rebuilt): written now if in order, else held.
     *
     * @param generation the FEC header's 16-bit generation
     * @param m the repairs its generation plans (-1 for a rebuilt packet: known already)
     * @return the write's verdict if written now; {@link DropReason#NONE} if held
     */
    public DropReason source(int peer, int generation, int index, int m, ByteBuffer buffer, int at, long address,
            int length, long nowNanos) {
        Peer p = peer(peer);
        long g = extend(peer, p, generation, nowNanos);
        int s = p.track(g);
        if (m >= 0) {
            p.planned[s] = m;
        }
        p.highest[s] = Math.max(p.highest[s], index);
        long position = g * SPAN + index;
        if (p.buffer.passThrough(position)) {
            passed++;
            DropReason verdict = writer.write(peer, buffer, at, address, length);
            drain(peer, p, nowNanos);
            return verdict;
        }
        return hold(peer, p, position, buffer, at, address, length, nowNanos);
    }

    /** A repair told generation {@code generation}'s real size: its unused positions hold nothing. */
    public void closed(int peer, int generation, int k, long nowNanos) {
        Peer p = peer(peer);
        long g = extend(peer, p, generation, nowNanos);
        int s = p.track(g);
        if (p.planned[s] < 0) {
            p.planned[s] = 1; // it has repairs: this one
        }
        close(p, g, k);
        drain(peer, p, nowNanos);
    }

    /** The timer tick: writes what is due for every peer holding packets, and re-chooses the next tick. */
    public void poll(long nowNanos) {
        for (int peer = 0; heldTotal > 0 && peer < peers.length; peer++) {
            Peer p = peers[peer];
            if (p != null && p.buffer.held() > 0) {
                drain(peer, p, nowNanos);
            }
        }
        wakeAt = nextDeadline();
        wakeChanged = true;
    }

    /**
     * The timer tick to ask the RX ring for, if it changed since the last call (a first
     * packet held for a peer with an earlier bound, or a tick's re-choice): a time, or
     * {@link Long#MAX_VALUE} for none; -1 if unchanged. O(1): called after every event.
     */
    public long takeWakeRequest() {
        if (!wakeChanged) {
            return -1;
        }
        wakeChanged = false;
        return wakeAt;
    }

    /** When {@link #poll} must run next: the earliest bound of a held packet, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        if (heldTotal == 0) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        for (Peer p : peers) {
            if (p != null && p.buffer.held() > 0) {
                next = Math.min(next, p.buffer.nextDeadline());
            }
        }
        return next;
    }

    private Peer peer(int peer) {
        Peer p = peers[peer];
        if (p == null) {
            p = new Peer(delayFor(peer)); // once per peer
            peers[peer] = p;
        }
        return p;
    }

    /**
     * The 64-bit generation nearest the newest; a newer one closes the generations
     * before it that have no repairs (m = 0), and a far one (a restarted sender)
     * starts the peer afresh.
     */
    private long extend(int peer, Peer p, int generation, long nowNanos) {
        if (!p.started) {
            p.started = true;
            p.newest = (1L << 32) + generation; // room below for late generations
            return p.newest;
        }
        long g = p.newest + (short) (generation - (int) (p.newest & 0xFFFF));
        if (g < p.newest - RESTART_DISTANCE || g > p.newest + RESTART_DISTANCE) {
            restart(peer, p, generation, nowNanos);
            return p.newest;
        }
        if (g > p.newest) {
            for (long h = Math.max(p.newest, g - GENERATIONS + 1); h < g; h++) {
                int s = (int) (h % GENERATIONS);
                if (p.generation[s] == h && p.planned[s] == 0) {
                    close(p, h, p.highest[s] + 1); // nothing can fill its tail: do not wait for it
                }
            }
            p.newest = g;
        }
        return g;
    }

    private void restart(int peer, Peer p, int generation, long nowNanos) {
        restarts++;
        drain(peer, p, nowNanos + p.buffer.delayNanos()); // what the old sender left, in its order
        p.buffer = new JitterBuffer(SPAN * GENERATIONS, delayFor(peer)); // a restarted peer: rare
        Arrays.fill(p.generation, -1);
        p.newest = (1L << 32) + generation;
    }

    private static void close(Peer p, long g, int k) {
        int s = (int) (g % GENERATIONS);
        if (p.closed[s]) {
            return;
        }
        p.closed[s] = true;
        for (int i = Math.max(0, k); i < SPAN; i++) {
            p.buffer.skip(g * SPAN + i);
        }
    }

    private DropReason hold(int peer, Peer p, long position, ByteBuffer buffer, int at, long address, int length,
            long nowNanos) {
        if (freeCount == 0 && p.buffer.held() > 0) {
            // The store is full: give up this peer's gaps now, releasing what it holds in
            // order, rather than write this packet ahead of them.
            drain(peer, p, nowNanos + p.buffer.delayNanos()); // every held packet's bound
            if (p.buffer.passThrough(position)) {
                passed++;
                return writer.write(peer, buffer, at, address, length);
            }
        }
        if (freeCount == 0 || length > STORE_SLOT) {
            storeFull++; // other peers hold the store: never lose it, write it out of order
            return writer.write(peer, buffer, at, address, length);
        }
        int h = free[--freeCount];
        int base = h * STORE_SLOT;
        store.put(base, buffer, at, length);
        lengths[h] = length;
        boolean firstHeld = p.buffer.held() == 0;
        if (firstHeld) {
            p.buffer.delay(delayFor(peer)); // follows the measured jitter, per gap
        }
        int verdict = p.buffer.offer(position, h, nowNanos);
        if (verdict == JitterBuffer.NO_ROOM) {
            drain(peer, p, nowNanos); // gives up the positions needed, in order
            verdict = p.buffer.offer(position, h, nowNanos);
        }
        switch (verdict) {
            case JitterBuffer.HELD -> {
                heldTotal++;
                reordered++;
                long due = nowNanos + p.buffer.delayNanos();
                if (firstHeld && due < wakeAt) { // later holds of a peer are due after its first
                    wakeAt = due;
                    wakeChanged = true;
                }
                drain(peer, p, nowNanos);
                return DropReason.NONE;
            }
            case JitterBuffer.LATE -> {
                late++;
                free[freeCount++] = h;
                return writer.write(peer, buffer, at, address, length);
            }
            default -> { // a duplicate, or still no room: never lose it, write it as it is
                free[freeCount++] = h;
                return writer.write(peer, buffer, at, address, length);
            }
        }
    }

    private void drain(int peer, Peer p, long nowNanos) {
        long lostBefore = p.buffer.lost();
        for (int h = p.buffer.poll(nowNanos); h != JitterBuffer.NONE; h = p.buffer.poll(nowNanos)) {
            release(peer, h);
        }
        givenUp += p.buffer.lost() - lostBefore;
    }

    private void release(int peer, int h) {
        heldTotal--;
        if (writer.write(peer, store, h * STORE_SLOT, storeAddress + (long) h * STORE_SLOT, lengths[h])
                != DropReason.NONE) {
            refusedLater++; // the event it came with is gone: counted here
        }
        free[freeCount++] = h;
    }

    /** Packets written in order as they came, without a copy. */
    public long passed() {
        return passed;
    }

    /** Packets that waited behind a gap (copied into the store). */
    public long reordered() {
        return reordered;
    }

    /** Packets for positions already given up: written at once, out of order. */
    public long late() {
        return late;
    }

    /** Positions given up: no packet came for them within the bound. */
    public long givenUp() {
        return givenUp;
    }

    /** Packets written out of order because the store was full. */
    public long storeFull() {
        return storeFull;
    }

    /** Peers whose sender restarted (generation numbers far behind). */
    public long restarts() {
        return restarts;
    }

    /** Held packets the TUN write refused when they were released (not IP, wrong inner source, TUN refused). */
    public long refusedLater() {
        return refusedLater;
    }

    /** Packets held now, all peers. */
    public int held() {
        return heldTotal;
    }
}
