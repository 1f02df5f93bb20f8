package org.m13.linkem;

import java.nio.ByteBuffer;
import org.m13.sys.OffHeap;

/**
 * Moves frames between side A (0) and side B (1) through two {@link LinkDirection}s:
 * frames received on A leave on B at their departure time, and the other way round.
 * Each direction receives into one 128 KB off-heap scratch area and copies the frame
 * into a preallocated slot of the same region (or, for a TCP super-frame from a
 * TSO/GSO sender, cuts it into wire-sized segments with {@link GsoSegmenter}, each
 * in its own slot and each decided separately); a {@link DepartureQueue} orders the
 * slots by departure. Nothing is allocated per frame.
 *
 * <p>One thread: {@link #step} sends everything due, then receives up to
 * {@value #BATCH} frames from each side; when there was nothing to do it sleeps in
 * {@link Ports#await} until the next departure (at most {@value #MAX_IDLE_MILLIS}
 * ms), waking early when a frame arrives. {@link #run} loops over {@link #step} until
 * {@link #stop}; tests drive {@link #step} with fake ports and a virtual clock.
 */
public final class Relay {
    /** The two interfaces. Hot calls: a count, 0 for "nothing" / "would block", or -errno. */
    public interface Ports {
        /** Receives one frame from {@code side} into native memory: its full length (may exceed {@code length}). */
        int receive(int side, long address, int length);

        /** Sends one frame on {@code side}. */
        int send(int side, long address, int length);

        /** Sleeps until a frame may be readable on either side or {@code timeoutNanos} passed. */
        int await(long timeoutNanos);
    }

    /** Monotonic nanoseconds ({@code System::nanoTime} in production). */
    public interface Clock {
        long nanoTime();
    }

    public static final int A = 0;
    public static final int B = 1;
    static final int BATCH = 64;
    static final long MAX_IDLE_MILLIS = 100;
    private static final long MAX_IDLE_NANOS = MAX_IDLE_MILLIS * 1_000_000L;

    private final Ports ports;
    private final Clock clock;
    static final int SCRATCH_BYTES = 128 * 1024;

    private final boolean virtioHeaders;
    private final int headerBytes;
    private final int slotBytes;
    private final int scratchOffset;
    private final LinkDirection[] directions = new LinkDirection[2];
    private final DepartureQueue[] queues = new DepartureQueue[2];
    private final OffHeap[] memory = new OffHeap[2];
    private final long[] base = new long[2];
    private final ByteBuffer[] region = new ByteBuffer[2];
    /** A second view of each region, the source of copies within it. */
    private final ByteBuffer[] source = new ByteBuffer[2];
    private volatile boolean running = true;

    /**
     * @param virtioHeaders whether each frame starts with the {@code virtio_net_hdr} of a
     *     {@link org.m13.sys.PacketSocket} (then TCP super-frames are segmented); false for fakes
     * @param maxFrameBytes the largest frame kept; larger ones are counted as OVERSIZE
     * @param slots frame slots per direction (frames in flight plus backlog)
     */
    public Relay(Ports ports, Clock clock, LinkParams aToB, LinkParams bToA, long seed, boolean virtioHeaders,
            int maxFrameBytes, int slots) {
        if (maxFrameBytes < 60 || maxFrameBytes > SCRATCH_BYTES - GsoSegmenter.VNET || slots < 1) {
            throw new IllegalArgumentException("max frame must be in [60, 131062] bytes and slots >= 1");
        }
        this.ports = ports;
        this.clock = clock;
        this.virtioHeaders = virtioHeaders;
        this.headerBytes = virtioHeaders ? GsoSegmenter.VNET : 0;
        this.slotBytes = (headerBytes + maxFrameBytes + 63) & ~63;
        this.scratchOffset = slotBytes * slots;
        Seeds.Streams[] streams = Seeds.derive(seed);
        LinkParams[] params = {aToB, bToA};
        long bytes = (long) slotBytes * slots + SCRATCH_BYTES;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("slots x frame size exceeds 2 GB: " + bytes);
        }
        for (int d = 0; d < 2; d++) {
            directions[d] = new LinkDirection(params[d], streams[d]);
            queues[d] = new DepartureQueue(slots);
            memory[d] = OffHeap.allocate((int) bytes);
            base[d] = memory[d].address();
            region[d] = memory[d].buffer();
            source[d] = region[d].duplicate();
        }
    }

    /** Direction 0 is A→B (received on A), 1 is B→A. */
    public LinkDirection direction(int d) {
        return directions[d];
    }

    /** Frames held for direction {@code d} (in flight or waiting). */
    public int queued(int d) {
        return queues[d].size();
    }

    /** The region holding direction {@code d}'s slots (fakes translate addresses with it). */
    OffHeap memory(int d) {
        return memory[d];
    }

    /** Earliest departure over both directions, {@link Long#MAX_VALUE} when nothing is held. */
    public long nextDeparture() {
        return Math.min(queues[A].nextDeparture(), queues[B].nextDeparture());
    }

    /** Sends what is due, then receives: the number of frames handled (0: idle). */
    public int doWork() {
        long now = clock.nanoTime();
        int work = transmitDue(A, now) + transmitDue(B, now);
        return work + receive(A) + receive(B);
    }

    /** One cycle: {@link #doWork}, and when idle, sleep until the next departure or a frame. */
    public int step() {
        int work = doWork();
        if (work == 0) {
            long next = nextDeparture();
            long wait = next == Long.MAX_VALUE ? MAX_IDLE_NANOS : Math.min(MAX_IDLE_NANOS, next - clock.nanoTime());
            if (wait > 0) {
                var unused = ports.await(wait); // a signal (-EINTR) or an error just ends the sleep
            }
        }
        return work;
    }

    /** Runs {@link #step} on the calling thread until {@link #stop}. */
    public void run() {
        while (running) {
            var unused = step();
        }
    }

    /** Asks {@link #run} to return (within {@value #MAX_IDLE_MILLIS} ms); frames still held are discarded. */
    public void stop() {
        running = false;
    }

    private int transmitDue(int d, long now) {
        DepartureQueue queue = queues[d];
        int sent = 0;
        while (queue.nextDeparture() <= now) {
            int slot = queue.take();
            int result = ports.send(1 - d, base[d] + (long) slot * slotBytes, queue.length(slot));
            directions[d].sent(result > 0);
            queue.release(slot);
            sent++;
        }
        return sent;
    }

    private int receive(int d) {
        DepartureQueue queue = queues[d];
        LinkDirection direction = directions[d];
        ByteBuffer buffer = region[d];
        int received = 0;
        while (received < BATCH) {
            int n = ports.receive(d, base[d] + scratchOffset, SCRATCH_BYTES);
            if (n <= 0) {
                if (n < 0) {
                    direction.receiveError();
                }
                break;
            }
            received++;
            long now = clock.nanoTime();
            int frameBytes = Math.max(0, n - headerBytes);
            int segments = n > SCRATCH_BYTES ? -1 : virtioHeaders ? GsoSegmenter.segments(buffer, scratchOffset, n) : 1;
            if (segments == 1 && n <= slotBytes) {
                int slot = queue.freeSlot();
                if (direction.admit(now, frameBytes, slot < 0 ? Verdict.NO_SLOT : Verdict.FORWARD) == Verdict.FORWARD) {
                    buffer.put(slot * slotBytes, source[d], scratchOffset, n);
                    queue.schedule(queue.acquire(), direction.departure(), n);
                }
            } else if (segments > 1 && GsoSegmenter.maxSegmentLength(buffer, scratchOffset, n) <= slotBytes) {
                for (int i = 0; i < segments; i++) {
                    int slot = queue.freeSlot();
                    if (slot < 0) {
                        var unused = direction.admit(now, 0, Verdict.NO_SLOT);
                        continue;
                    }
                    int length = GsoSegmenter.segment(source[d], scratchOffset, n, i, buffer, slot * slotBytes);
                    if (direction.admit(now, length - headerBytes, Verdict.FORWARD) == Verdict.FORWARD) {
                        queue.schedule(queue.acquire(), direction.departure(), length);
                    }
                }
            } else {
                var unused = direction.admit(now, frameBytes, Verdict.OVERSIZE);
            }
        }
        return received;
    }
}
