package org.m13.daemon;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.m13.sys.Datagrams;
import org.m13.sys.Native;
import org.m13.sys.OffHeap;
import org.m13.sys.Tun;

/**
 * An in-memory point-to-point UDP link between two endpoints (the node's connected
 * socket and the hub's), so the hub and node pipelines run in one JVM without root:
 * what one endpoint sends, the other receives, with the sender's address as the source.
 * A full direction makes the sender wait (backpressure, as a blocking socket would),
 * so nothing is lost unless an {@link Impairment} says so. Each direction has one
 * sending and one receiving thread.
 */
public final class MemoryLink {
    /** What happens to one datagram in one direction (seeded by the test). */
    public enum Fate {
        DELIVER, DROP, DUPLICATE, DELAY_ONE
    }

    /** Decides the fate of the {@code n}-th datagram of a direction; must not allocate. */
    @FunctionalInterface
    public interface Impairment {
        Impairment NONE = n -> Fate.DELIVER;

        Fate fate(long n);
    }

    private final Endpoint a;
    private final Endpoint b;

    /**
     * @param capacity datagrams in flight per direction
     * @param addressA endpoint a's address as b sees it ({@link Outer#address})
     * @param addressB endpoint b's address as a sees it
     */
    public MemoryLink(int capacity, long addressA, long addressB) {
        this.a = new Endpoint(capacity, addressA);
        this.b = new Endpoint(capacity, addressB);
        a.peer = b;
        b.peer = a;
    }

    public Endpoint a() {
        return a;
    }

    public Endpoint b() {
        return b;
    }

    /** One end of the link. */
    public static final class Endpoint implements Datagrams {
        private static final int SLOT = 2048;
        private final SpscFrames inbound;
        private final long address;
        private final OffHeap scratch = OffHeap.allocate(8);
        private final OffHeap held = OffHeap.allocate(SLOT);
        private int heldLength = -1;
        private Endpoint peer;
        private volatile Impairment impairment = Impairment.NONE;
        private long sentCount;
        private final AtomicLong dropped = new AtomicLong();
        private final AtomicLong duplicated = new AtomicLong();
        private final AtomicLong delayed = new AtomicLong();

        private Endpoint(int capacity, long address) {
            this.inbound = new SpscFrames(capacity, SLOT);
            this.address = address;
            scratch.buffer().putInt(0, Outer.ip(address)).putShort(4, (short) Outer.port(address));
        }

        /** Impairs what this endpoint sends from now on. */
        public void impair(Impairment impairment) {
            this.impairment = impairment;
        }

        @Override
        public int send(long from, int length) {
            switch (impairment.fate(sentCount++)) {
                case DROP -> {
                    dropped.lazySet(dropped.get() + 1);
                    return length;
                }
                case DUPLICATE -> {
                    duplicated.lazySet(duplicated.get() + 1);
                    put(from, length);
                    put(from, length);
                }
                case DELAY_ONE -> {
                    if (heldLength < 0) { // hold it; it goes out after the next datagram (a reordering)
                        delayed.lazySet(delayed.get() + 1);
                        Native.copy(from, held.address(), length);
                        heldLength = length;
                        return length;
                    }
                    put(from, length);
                }
                case DELIVER -> put(from, length);
            }
            if (heldLength >= 0) {
                put(held.address(), heldLength);
                heldLength = -1;
            }
            return length;
        }

        private void put(long from, int length) {
            while (!peer.inbound.offer(from, length)) {
                Thread.onSpinWait(); // the receiver is behind: wait, as a blocking socket would
            }
        }

        @Override
        public int sendTo(long from, int length, int ip, int port) {
            return send(from, length); // point to point: there is only the other end
        }

        @Override
        public int receive(long to, int length) {
            return inbound.poll(to, length);
        }

        @Override
        public int receiveFrom(long to, int length, long ipOut, long portOut) {
            int n = inbound.poll(to, length);
            if (n > 0) {
                Native.copy(peer.scratch.address(), ipOut, 4);
                Native.copy(peer.scratch.address() + 4, portOut, 2);
            }
            return n;
        }

        @Override
        public int poll(int events, int timeoutMillis) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            int spins = 0;
            while (inbound.isEmpty()) {
                if (System.nanoTime() - deadline >= 0) {
                    return 0;
                }
                if (++spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            return Tun.POLLIN;
        }

        /** This endpoint's address, as the other end sees it. */
        public long address() {
            return address;
        }

        public long dropped() {
            return dropped.get();
        }

        public long duplicated() {
            return duplicated.get();
        }

        public long delayed() {
            return delayed.get();
        }
    }
}
