package org.m13.daemon;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the AF_XDP backend needs to address a frame to a node, learned from the node's
 * own frames: per outer address ({@link Outer#address}, the node's IPv4 address and UDP
 * port) the next hop's MAC (the received frame's Ethernet source: the node itself on a
 * shared segment, the router otherwise) and the hub's IPv4 address as the node
 * addressed it (the received frame's IPv4 destination), so that replies leave from the
 * address the node, and any NAT in between, expects.
 *
 * <p>Why learning suffices: the hub never speaks first. Every frame it sends a node
 * (ECHO, handshake, ADDRESS, keepalive, tunnel traffic, FIN) answers or follows frames
 * that node sent from that address, and each of those refreshes its entry. A lookup
 * that finds nothing (an entry evicted by a flood of new addresses, or a node whose
 * datagrams arrive through the kernel's UDP socket instead of AF_XDP) is a miss: the
 * sender hands the frame to the kernel, which routes and resolves it itself.
 *
 * <p>Threads: one writer (the RX poller, {@link #learn}), any number of readers
 * ({@link #lookup}, link-tx), no locks. Each entry carries a sequence number, odd
 * while the writer changes the entry; a reader that sees it odd or changed reads again,
 * so it never pairs one node's address with another's MAC. Open addressing with a
 * linear probe of {@value #PROBE} entries; when the probe window is full the entry
 * learned least recently is replaced. Entries are never removed, only replaced, so the
 * first empty entry in a window ends a search. Nothing is allocated after construction.
 *
 * <p>Trust: entries are learned before any authentication (REGISTER and the handshake
 * come first), so a host on the hub's own segment that forges a node's source address
 * can redirect the hub's frames for that node, as ARP spoofing could redirect the
 * kernel's. It learns nothing from them (they are sealed) and the node's next frame
 * corrects the entry.
 */
public final class NextHops {
    /** Entries searched per address. */
    public static final int PROBE = 8;
    /** Largest table: 16 Ki entries (512 KiB). */
    public static final int MAX_CAPACITY = 1 << 14;
    private static final int STRIDE = 4;
    private static final int SEQUENCE = 0;
    private static final int KEY = 1;
    private static final int MAC = 2;
    private static final int LOCAL_IP = 3;
    /** Set in every stored key, so that 0 means "empty" whatever the address. */
    private static final long PRESENT = 1L << 48;
    private static final int READ_ATTEMPTS = 4;

    private final AtomicLongArray cells;
    private final int mask;
    /** The writer's own: when each entry was last learned or confirmed (a counter, not a clock). */
    private final long[] heard;
    private long tick;
    private long replaced;

    /** A table of {@code capacity} entries, a power of two from {@value #PROBE} to {@value #MAX_CAPACITY}. */
    public NextHops(int capacity) {
        if (capacity < PROBE || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two in " + PROBE + ".." + MAX_CAPACITY
                    + ": " + capacity);
        }
        this.cells = new AtomicLongArray(capacity * STRIDE);
        this.mask = capacity - 1;
        this.heard = new long[capacity];
    }

    public int capacity() {
        return mask + 1;
    }

    /**
     * Records that a frame from {@code address} came from next hop {@code mac} (48 bits)
     * and was addressed to {@code localIp}. The writer thread only; cheap when nothing
     * changed (the common case: one probe, three plain reads).
     */
    public void learn(long address, long mac, int localIp) {
        long key = address | PRESENT;
        long localBits = localIp & 0xFFFF_FFFFL;
        int home = index(address);
        int victim = -1;
        long oldest = Long.MAX_VALUE;
        long now = ++tick;
        for (int p = 0; p < PROBE; p++) {
            int entry = (home + p) & mask;
            int at = entry * STRIDE;
            long k = cells.getPlain(at + KEY); // the writer reads its own writes
            if (k == key) {
                if (cells.getPlain(at + MAC) != mac || cells.getPlain(at + LOCAL_IP) != localBits) {
                    write(at, key, mac, localBits);
                }
                heard[entry] = now;
                return;
            }
            if (k == 0) {
                write(at, key, mac, localBits);
                heard[entry] = now;
                return;
            }
            if (heard[entry] < oldest) {
                oldest = heard[entry];
                victim = entry;
            }
        }
        replaced++;
        write(victim * STRIDE, key, mac, localBits);
        heard[victim] = now;
    }

    private void write(int at, long key, long mac, long localBits) {
        long sequence = cells.getPlain(at + SEQUENCE);
        cells.set(at + SEQUENCE, sequence + 1); // odd: readers retry
        cells.set(at + KEY, key);
        cells.set(at + MAC, mac);
        cells.set(at + LOCAL_IP, localBits);
        cells.set(at + SEQUENCE, sequence + 2);
    }

    /**
     * Finds {@code address}: on success {@code out[0]} is the next hop's MAC and
     * {@code out[1]} the local IPv4 address (as an unsigned int). Any thread; no allocation.
     *
     * @return false when the address is unknown (or its entry kept changing while read)
     */
    public boolean lookup(long address, long[] out) {
        long key = address | PRESENT;
        int home = index(address);
        for (int p = 0; p < PROBE; p++) {
            int at = ((home + p) & mask) * STRIDE;
            for (int attempt = 0; ; attempt++) {
                long before = cells.get(at + SEQUENCE);
                long k = cells.get(at + KEY);
                long mac = cells.get(at + MAC);
                long local = cells.get(at + LOCAL_IP);
                if ((before & 1) == 0 && cells.get(at + SEQUENCE) == before) {
                    if (k == key) {
                        out[0] = mac;
                        out[1] = local;
                        return true;
                    }
                    if (k == 0) {
                        return false;
                    }
                    break; // another address: probe on
                }
                if (attempt == READ_ATTEMPTS) {
                    return false;
                }
                Thread.onSpinWait();
            }
        }
        return false;
    }

    /** Entries replaced because their probe window was full (the writer's count). */
    public long replaced() {
        return replaced;
    }

    private int index(long address) {
        long h = address * 0x9E37_79B9_7F4A_7C15L; // Fibonacci hashing: spreads ports and hosts alike
        return (int) (h >>> 40) & mask;
    }
}
