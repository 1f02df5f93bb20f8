package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.sys.UdpFrames;
import org.m13.sys.UdpSocket;
import org.m13.sys.XdpSocket;
import org.m13.wire.Wire;

/**
 * The hub's RX ring producer on the AF_XDP backend: takes batches of received frames
 * from the AF_XDP socket of every queue of the XDP interface, checks that each is an
 * IPv4 UDP datagram to the hub's port with no IP options ({@link UdpFrames#isUdpTo}),
 * copies the whole Ethernet frame into a free RX slot (so the M13 frame sits at
 * {@value org.m13.wire.Wire#UDP_HUB_FRAME_OFFSET} with the outer headers in front of
 * it, where {@link Outer} reads the source address: the same placement as the UDP
 * backend) and publishes it; the UMEM frames go back to the fill ring at once. Each
 * frame also teaches {@link NextHops} where replies to its source go.
 *
 * <p>Anything else the program redirected (EtherType 0x88B5 frames, IP options, a
 * datagram shorter than its UDP length says) is counted and dropped. The program
 * leaves ARP, ICMP and all other traffic to the kernel, so the host stays reachable.
 *
 * <p>The kernel's UDP socket on the same port is read too: datagrams that arrive on
 * another interface, or on a queue without an AF_XDP socket, still reach the hub, the
 * way the UDP backend receives them (the first one is logged: it usually means
 * {@code listen.xdp-interface} is not where the nodes arrive).
 *
 * <p>When every RX slot is in use the poller waits for release to free one; the
 * kernel meanwhile fills the remaining fill-ring frames and then drops (XDP_STATISTICS
 * {@code rx_fill_ring_empty}). {@link #doWork} is one pass (a test drives it without a
 * thread); {@link #run} repeats it and waits in poll(2) when a pass found nothing.
 */
public final class XdpLinkPoller implements Runnable {
    private static final Logger LOG = LogManager.getLogger(XdpLinkPoller.class);
    /** Frames taken per queue per pass. */
    static final int BATCH = 64;
    /** Datagrams taken from the kernel socket per pass. */
    static final int KERNEL_BATCH = 16;
    /** While AF_XDP has work, the kernel socket is read every this many passes (a recvfrom that usually finds nothing). */
    static final int KERNEL_EVERY = 16;
    private static final int IDLE_POLL_MILLIS = 100;
    private static final int OFFSET = Wire.UDP_HUB_FRAME_OFFSET;

    private final XdpRings[] queues;
    private final UdpSocket kernel;
    private final SlotPool pool;
    private final RingPipeline rx;
    private final NextHops hops;
    private final int port;
    private final String interfaceName;
    private final int[] fds;
    private final long[] addresses = new long[BATCH];
    private final int[] lengths = new int[BATCH];
    private volatile boolean running = true;
    private long passes;
    private boolean kernelSeen;
    /** A slot taken but not published (the kernel socket had nothing): used next, as only release may free. */
    private int spare = SlotPool.NO_SLOT;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong kernelReceived = new AtomicLong();
    private final AtomicLong notUdp = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    /** The first error's -errno (0: none yet): what {@link #errors} means, for the stats line. */
    private volatile int firstError;
    private long noSlot;

    /**
     * @param queues        the AF_XDP sockets, one per queue of {@code interfaceName}
     * @param kernel        the kernel's UDP socket on the port, or null
     * @param pool          the RX slots (partition 0 is this poller's)
     * @param rx            the RX ring (single producer: this poller)
     * @param hops          learned here, read by link-tx
     * @param port          the hub's UDP port
     * @param interfaceName for the log
     */
    public XdpLinkPoller(XdpRings[] queues, UdpSocket kernel, SlotPool pool, RingPipeline rx, NextHops hops, int port,
            String interfaceName) {
        if (queues.length == 0 || queues.length + 1 > XdpSocket.MAX_POLL_DESCRIPTORS) {
            throw new IllegalArgumentException(queues.length + " queues: 1.." + (XdpSocket.MAX_POLL_DESCRIPTORS - 1)
                    + " supported");
        }
        if (pool.slotBytes() < UdpFrames.HEADERS + Wire.MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("RX slots of " + pool.slotBytes() + " bytes cannot hold a full frame");
        }
        this.queues = queues.clone();
        this.kernel = kernel;
        this.pool = pool;
        this.rx = rx;
        this.hops = hops;
        this.port = port;
        this.interfaceName = interfaceName;
        this.fds = new int[queues.length + (kernel == null ? 0 : 1)];
        for (int q = 0; q < queues.length; q++) {
            fds[q] = queues[q].fd();
        }
        if (kernel != null) {
            fds[queues.length] = kernel.fd();
        }
    }

    @Override
    public void run() {
        while (running) {
            var unusedTick = rx.publishTimerIfDue(System.nanoTime());
            if (doWork() == 0) {
                int ready = XdpSocket.pollReadable(fds, fds.length, rx.idleMillis(System.nanoTime(), IDLE_POLL_MILLIS));
                if (ready < 0) {
                    error(ready);
                }
            }
        }
        // frames still in the UMEM go with the sockets; the spare slot, if any, is never published
    }

    /** One pass over every queue (and now and then the kernel socket): frames published. */
    public int doWork() {
        int work = 0;
        for (XdpRings queue : queues) {
            work += drain(queue);
        }
        if (kernel != null && (work == 0 || ++passes % KERNEL_EVERY == 0)) {
            work += drainKernel();
        }
        return work;
    }

    private int drain(XdpRings queue) {
        int n = queue.receive(addresses, lengths, BATCH);
        if (n <= 0) {
            if (n < 0) {
                error(n);
            }
            return 0;
        }
        ByteBuffer umem = queue.umem();
        long now = System.nanoTime();
        int published = 0;
        for (int i = 0; i < n && running; i++) {
            if (accept(umem, (int) addresses[i], lengths[i], now)) {
                published++;
            }
        }
        long frameMask = ~((long) queue.frameSize() - 1);
        for (int i = 0; i < n; i++) {
            addresses[i] &= frameMask; // the frame, not the packet inside it (past the kernel's headroom)
        }
        for (int given = 0; given < n;) {
            int f = queue.fill(given == 0 ? addresses : shift(addresses, given, n), n - given);
            if (f <= 0) {
                error(f == 0 ? -105 : f); // ENOBUFS: cannot happen while the fill ring holds every RX frame; never spin
                break;
            }
            given += f;
        }
        if (published > 0) {
            received.lazySet(received.get() + published);
        }
        return n;
    }

    private static long[] shift(long[] a, int from, int to) {
        System.arraycopy(a, from, a, 0, to - from);
        return a;
    }

    /** Checks, learns and publishes one received frame; false when dropped. */
    private boolean accept(ByteBuffer umem, int at, int length, long now) {
        if (!UdpFrames.isUdpTo(umem, at, length, port)) {
            notUdp.lazySet(notUdp.get() + 1);
            return false;
        }
        int udp = at + UdpFrames.ETHERNET_HEADER + UdpFrames.IPV4_HEADER;
        int payload = (umem.getShort(udp + 4) & 0xFFFF) - UdpFrames.UDP_HEADER;
        if (payload < 0 || OFFSET + payload > length || OFFSET + payload > pool.slotBytes()) {
            malformed.lazySet(malformed.get() + 1);
            return false;
        }
        int ip = at + UdpFrames.ETHERNET_HEADER;
        long source = Outer.address(umem.getInt(ip + 12), umem.getShort(udp));
        long mac = (umem.getInt(at + 6) & 0xFFFF_FFFFL) << 16 | (umem.getShort(at + 10) & 0xFFFF);
        hops.learn(source, mac, umem.getInt(ip + 16));
        int slot = takeSlot();
        if (slot == SlotPool.NO_SLOT) {
            return false; // stopping
        }
        pool.buffer().put(pool.base(slot), umem, at, OFFSET + payload);
        rx.publish(slot, OFFSET, payload, now);
        return true;
    }

    private int drainKernel() {
        int n = 0;
        while (n < KERNEL_BATCH && running) {
            int slot = takeSlot();
            if (slot == SlotPool.NO_SLOT) {
                break;
            }
            long base = pool.address(slot);
            int got = kernel.receiveFrom(base + OFFSET, pool.slotBytes() - OFFSET, base + OFFSET + Outer.SOURCE_IP,
                    base + OFFSET + Outer.SOURCE_PORT);
            if (got <= 0) {
                spare = slot;
                if (got < 0) {
                    error(got);
                }
                break;
            }
            if (!kernelSeen) {
                kernelSeen = true;
                LOG.info("datagrams reach the hub through its UDP socket, not through AF_XDP on {} (first from {});"
                        + " they work, more slowly: set listen.xdp-interface to where the nodes arrive",
                        interfaceName, Outer.toString(Outer.source(pool.buffer(), pool.base(slot) + OFFSET)));
            }
            rx.publish(slot, OFFSET, got, System.nanoTime());
            n++;
        }
        if (n > 0) {
            kernelReceived.lazySet(kernelReceived.get() + n);
        }
        return n;
    }

    private int takeSlot() {
        if (spare != SlotPool.NO_SLOT) {
            int slot = spare;
            spare = SlotPool.NO_SLOT;
            return slot;
        }
        for (int spins = 0; running; spins++) {
            int slot = pool.alloc();
            if (slot != SlotPool.NO_SLOT) {
                return slot;
            }
            noSlot++;
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000); // release runs on another thread, maybe this core
            }
        }
        return SlotPool.NO_SLOT;
    }

    public void stop() {
        running = false;
    }

    /** Frames received through AF_XDP and published. */
    public long received() {
        return received.get();
    }

    /** Datagrams received through the kernel's UDP socket and published. */
    public long kernelReceived() {
        return kernelReceived.get();
    }

    /** Redirected frames that were not IPv4 UDP to the port without IP options: dropped. */
    public long notUdp() {
        return notUdp.get();
    }

    /** Datagrams whose UDP length does not fit the frame or a slot: dropped. */
    public long malformed() {
        return malformed.get();
    }

    private void error(int negativeErrno) {
        errors.incrementAndGet();
        if (firstError == 0) {
            firstError = negativeErrno;
        }
    }

    public long errors() {
        return errors.get();
    }

    /** The first error as -errno, 0 if none. */
    public int firstError() {
        return firstError;
    }

    /** Times the poller found no free RX slot (the poller's thread only). */
    public long noSlot() {
        return noSlot;
    }
}
