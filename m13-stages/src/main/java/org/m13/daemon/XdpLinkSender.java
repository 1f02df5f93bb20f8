package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.m13.stage.LinkSender;
import org.m13.sys.UdpFrames;
import org.m13.wire.Wire;

/**
 * link-tx on the hub's AF_XDP backend. For each frame it reads the destination the
 * producer wrote in front of it ({@link Outer#destination(ByteBuffer, int)}), finds the
 * next hop in {@link NextHops}, copies the frame into a free UMEM frame behind complete
 * Ethernet, IPv4 and UDP headers ({@link UdpFrames#write}: source MAC the XDP
 * interface's, source IP the address the node sent to, source port the hub's, both
 * checksums computed) and stages it. Staged frames go to the TX ring in batches: at
 * the end of each ring batch ({@link #beginBatch} and {@link #eventDone}, called by
 * {@link XdpLinkTx}), when {@value #BATCH} are waiting, or at once when no batch was
 * announced. Frames the kernel has sent come back through the completion ring and are
 * reused.
 *
 * <p>A destination with no next hop (see {@link NextHops} for why that is rare) goes
 * to {@code kernel}, the UDP socket backend's sender, which lets the kernel route and
 * resolve it; counted ({@link #viaKernel}). No free UMEM frame even after reclaiming
 * completions refuses the frame (link-tx counts {@code LINK_FULL}).
 *
 * <p>The link-tx thread only; nothing is allocated per frame.
 */
public final class XdpLinkSender implements LinkSender {
    /** Frames staged before they are handed to the TX ring regardless of the ring batch. */
    public static final int BATCH = 64;
    private static final int HEADERS = UdpFrames.HEADERS;

    private final XdpRings ring;
    private final ByteBuffer umem;
    private final NextHops hops;
    private final LinkSender kernel;
    private final int port;
    private final int maxFrame;
    private final byte[] sourceMac = new byte[UdpFrames.MAC_LENGTH];
    private final byte[] destinationMac = new byte[UdpFrames.MAC_LENGTH];
    private final long[] hop = new long[2];
    private final int[] free;
    private int freeCount;
    private final long[] pending = new long[BATCH];
    private final int[] pendingLengths = new int[BATCH];
    private int pendingCount;
    private final long[] completed = new long[256];
    /** Events left in the ring batch being processed; 0: no batch announced, flush every frame. */
    private long expected;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong viaKernel = new AtomicLong();
    private final AtomicLong noFrame = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    /** The first error's -errno (0: none yet). */
    private volatile int firstError;

    /**
     * @param ring      the TX half of the AF_XDP socket (queue 0 of the XDP interface)
     * @param hops      filled by the RX poller
     * @param kernel    where frames with no next hop go (the UDP socket's sender), or null to drop them
     * @param ourMac    the XDP interface's MAC (48 bits)
     * @param port      the hub's UDP port (the source port of every frame)
     */
    public XdpLinkSender(XdpRings ring, NextHops hops, LinkSender kernel, long ourMac, int port) {
        this.ring = ring;
        this.umem = ring.umem();
        this.hops = hops;
        this.kernel = kernel;
        this.port = port;
        this.maxFrame = Math.min(ring.frameSize() - HEADERS, Wire.MAX_UDP_PAYLOAD);
        macBytes(ourMac, sourceMac);
        int first = ring.firstTxFrame();
        this.free = new int[ring.frameCount() - first];
        for (int i = ring.frameCount() - 1; i >= first; i--) {
            free[freeCount++] = Math.multiplyExact(i, ring.frameSize());
        }
        if (freeCount == 0) {
            throw new IllegalArgumentException("the UMEM has no frame for transmission");
        }
    }

    @Override
    public boolean send(ByteBuffer buffer, int index, int length) {
        long to = Outer.destination(buffer, index);
        if (length > maxFrame || !hops.lookup(to, hop)) {
            viaKernel.lazySet(viaKernel.get() + 1);
            return kernel != null && kernel.send(buffer, index, length);
        }
        if (freeCount == 0) {
            reclaim();
            if (freeCount == 0) {
                flush();
                reclaim();
                if (freeCount == 0) {
                    noFrame.lazySet(noFrame.get() + 1);
                    return false;
                }
            }
        }
        int frame = free[--freeCount];
        umem.put(frame + HEADERS, buffer, index, length);
        macBytes(hop[0], destinationMac);
        int frameLength = UdpFrames.write(umem, frame, destinationMac, sourceMac, (int) hop[1], Outer.ip(to), port,
                Outer.port(to), length);
        pending[pendingCount] = frame;
        pendingLengths[pendingCount] = frameLength;
        pendingCount++;
        if (pendingCount == BATCH || expected == 0) {
            flush();
        }
        return true;
    }

    /** The ring is about to deliver {@code events} events: staged frames wait for the last. */
    public void beginBatch(long events) {
        if (expected > 0) {
            flush(); // the previous batch was not seen to its end
        }
        expected = Math.max(0, events);
    }

    /** One event of the announced batch is through link-tx; after the last, staged frames go out. */
    public void eventDone() {
        if (expected > 0 && --expected == 0) {
            flush();
        }
    }

    /** Hands every staged frame to the TX ring (and kicks the kernel), then recycles completed frames. */
    public void flush() {
        if (pendingCount > 0) {
            int n = ring.transmit(pending, pendingLengths, pendingCount);
            if (n < 0) {
                error(n); // nothing staged (interface down?): the frames wait for the next flush
            } else if (n > 0) {
                sent.lazySet(sent.get() + n);
                pendingCount -= n;
                if (pendingCount > 0) { // the TX ring is full: the rest go first next time
                    System.arraycopy(pending, n, pending, 0, pendingCount);
                    System.arraycopy(pendingLengths, n, pendingLengths, 0, pendingCount);
                }
            }
        }
        reclaim();
    }

    private void reclaim() {
        int n = ring.complete(completed, Math.min(completed.length, free.length - freeCount));
        if (n < 0) {
            error(n);
            return;
        }
        for (int i = 0; i < n; i++) {
            free[freeCount++] = (int) completed[i];
        }
    }

    private static void macBytes(long mac, byte[] out) {
        for (int i = 0; i < UdpFrames.MAC_LENGTH; i++) {
            out[i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    /** Frames handed to the TX ring. */
    public long sent() {
        return sent.get();
    }

    /** Frames with no next hop (or too long for a UMEM frame), handed to the kernel's UDP socket instead. */
    public long viaKernel() {
        return viaKernel.get();
    }

    /** Frames refused because no UMEM frame was free. */
    public long noFrame() {
        return noFrame.get();
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

    /** UMEM frames free for transmission now (the link-tx thread's view; for tests). */
    int freeFrames() {
        return freeCount;
    }

    /** Frames staged and not yet handed to the TX ring (for tests). */
    int pendingFrames() {
        return pendingCount;
    }
}
