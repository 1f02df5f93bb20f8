package org.m13.daemon;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * An AF_XDP socket in memory: frames "received" are queued by the test ({@link #arrive}),
 * frames transmitted are recorded and come back through {@link #complete} when the test
 * says the kernel is done with them ({@link #finishSending}). Same descriptor contract as
 * {@link org.m13.sys.XdpSocket}: UMEM offsets and lengths in the caller's arrays.
 */
final class FakeXdpRings implements XdpRings {
    /** The kernel's headroom in front of a received packet, as in copy mode. */
    static final int HEADROOM = 256;

    final ByteBuffer umem;
    final int frameSize;
    final int frameCount;
    final int firstTx;
    final ArrayDeque<Long> fillRing = new ArrayDeque<>();
    private final ArrayDeque<long[]> rxRing = new ArrayDeque<>();
    /** Every transmit call's frames, in order: UMEM offset and length. */
    final List<long[]> transmitted = new ArrayList<>();
    final List<Integer> transmitCalls = new ArrayList<>();
    private final ArrayDeque<Long> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Long> completions = new ArrayDeque<>();
    /** How many frames the TX ring takes per call; the rest are refused (ring full). */
    int txRoom = Integer.MAX_VALUE;

    FakeXdpRings(int frameCount, int frameSize, int firstTx) {
        this.umem = ByteBuffer.allocateDirect(frameCount * frameSize);
        this.frameSize = frameSize;
        this.frameCount = frameCount;
        this.firstTx = firstTx;
        for (int i = 0; i < firstTx; i++) {
            fillRing.add((long) i * frameSize);
        }
    }

    /** A frame arrives: the kernel takes a fill-ring frame and copies {@code frame} into it. */
    void arrive(byte[] frame) {
        long chunk = fillRing.remove();
        long at = chunk + HEADROOM;
        umem.put((int) at, frame);
        rxRing.add(new long[] {at, frame.length});
    }

    /** The kernel is done with every frame transmitted so far. */
    void finishSending() {
        completions.addAll(inFlight);
        inFlight.clear();
    }

    @Override
    public ByteBuffer umem() {
        return umem;
    }

    @Override
    public int frameSize() {
        return frameSize;
    }

    @Override
    public int firstTxFrame() {
        return firstTx;
    }

    @Override
    public int frameCount() {
        return frameCount;
    }

    @Override
    public int receive(long[] addresses, int[] lengths, int max) {
        int n = 0;
        while (n < max && !rxRing.isEmpty()) {
            long[] d = rxRing.remove();
            addresses[n] = d[0];
            lengths[n] = (int) d[1];
            n++;
        }
        return n;
    }

    @Override
    public int fill(long[] addresses, int count) {
        for (int i = 0; i < count; i++) {
            if (addresses[i] % frameSize != 0) {
                throw new AssertionError("fill with an address inside a frame: " + addresses[i]);
            }
            fillRing.add(addresses[i]);
        }
        return count;
    }

    @Override
    public int transmit(long[] addresses, int[] lengths, int count) {
        int n = Math.min(count, txRoom);
        transmitCalls.add(n);
        for (int i = 0; i < n; i++) {
            transmitted.add(new long[] {addresses[i], lengths[i]});
            inFlight.add(addresses[i]);
        }
        return n;
    }

    @Override
    public int complete(long[] addresses, int max) {
        int n = 0;
        while (n < max && !completions.isEmpty()) {
            addresses[n++] = completions.remove();
        }
        return n;
    }

    @Override
    public int fd() {
        return -1;
    }
}
