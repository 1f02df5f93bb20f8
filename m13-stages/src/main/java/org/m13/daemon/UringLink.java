package org.m13.daemon;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.sys.EventFd;
import org.m13.sys.IoUring;
import org.m13.sys.OffHeap;
import org.m13.sys.UdpSocket;
import org.m13.wire.Wire;

/**
 * The node's link as an io_uring reactor over the UDP socket connected to the hub: the
 * RX ring's producer and link-tx's consumer on one thread, because the ring is
 * single-issuer (ARCHITECTURE.md §3).
 *
 * <pre>
 *   kernel --multishot recv--&gt; provided buffer --copy--&gt; free RX slot --publish--&gt; ring rx
 *          (buffer recycled at once)
 *   link-tx --copy--&gt; {@link TxHandoff} entry --send SQE--&gt; kernel; entry freed on its CQE
 *   link-tx --eventfd--&gt; wakes the reactor only while it is parked in io_uring_enter
 * </pre>
 *
 * <p>RX copies each datagram out of its provided buffer into an RX {@link SlotPool} slot
 * (the stages read slots), then gives the buffer back in the same batch: the buffer ring
 * stays full and the copy (about 1.4 KB per frame) is the price. When no slot or no ring
 * room is free the datagrams wait in their buffers, in order; once the buffers run out
 * the kernel ends the multishot with {@code -ENOBUFS} and the rest wait in the socket,
 * as with the plain poller. A completion without {@link IoUring#F_MORE} re-arms the
 * receive (after {@code -ENOBUFS} as soon as buffers are back; after an error with a
 * growing delay, so a persistent error costs no CPU).
 *
 * <p>TX: every loop turns the frames link-tx published into send requests and submits
 * them with the re-arms in one {@code io_uring_enter}; completions free the entries.
 *
 * <p>Threads: create, drive ({@link #doWork}, {@link #idle}) and close this on one
 * thread, the ring's owner. {@link UringLinkThread} is that thread in the daemon; a test
 * drives the cycles itself. Counters are readable from any thread.
 */
public final class UringLink implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(UringLink.class);
    /** 1024 SQ entries (2048 CQ), 4096 provided buffers of 2 KB: 8 MB of receive buffers. */
    public static final IoUring.Config DEFAULT_RING = new IoUring.Config(1024, 4096, SlotPool.DEFAULT_SLOT_BYTES,
            false, 0, true);
    /** How long an idle reactor waits in the kernel before it looks at its stop flag. */
    static final int IDLE_WAIT_MILLIS = 100;
    /** How long it waits while datagrams wait for RX slots (nothing wakes it when one is freed). */
    static final int BACKLOG_WAIT_MILLIS = 1;
    private static final int ENOBUFS = 105;
    private static final int MAX_REARM_DELAY_MILLIS = 100;
    private static final int BATCH = 256;
    private static final int DISTINCT_ERRORS = 16;
    private static final long TAG_SHIFT = 56;
    private static final long RECV = 1L << TAG_SHIFT;
    private static final long WAKE = 2L << TAG_SHIFT;
    private static final long SEND = 3L << TAG_SHIFT;
    private static final long SEQ_MASK = (1L << TAG_SHIFT) - 1;

    private final UdpSocket socket;
    private final SlotPool rxPool;
    private final TxHandoff handoff;
    private final IoUring ring;
    private final EventFd wake;
    private final OffHeap wakeCounter = OffHeap.allocate(EventFd.COUNTER_BYTES);
    private final int offset = Wire.UDP_NODE_FRAME_OFFSET;
    private final int copyLimit;
    private final long[] tags = new long[BATCH];
    private final int[] results = new int[BATCH];
    private final int[] flags = new int[BATCH];
    private final int[] recycleIds = new int[BATCH];
    private int recycleCount;
    /** Datagrams in provided buffers waiting for an RX slot or ring room: a FIFO of buffer ids and lengths. */
    private final int[] backlogIds;
    private final int[] backlogLengths;
    private final int backlogMask;
    private long backlogHead;
    private long backlogTail;
    private int heldSlot = SlotPool.NO_SLOT;
    private RingPipeline rx;
    private boolean recvArmed;
    private boolean wakeArmed;
    private boolean unsubmitted;
    private long rearmNotBefore;
    private int rearmDelayMillis;
    private final Set<String> errorsSeen = new HashSet<>();

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong recvErrors = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong wakeErrors = new AtomicLong();
    private final AtomicLong rearms = new AtomicLong();
    private final AtomicLong enobufs = new AtomicLong();
    private final AtomicLong noSlot = new AtomicLong();
    private final AtomicLong ringFull = new AtomicLong();
    private final AtomicLong submits = new AtomicLong();
    private final AtomicLong parks = new AtomicLong();
    private final AtomicLong faults = new AtomicLong();

    private UringLink(UdpSocket socket, SlotPool rxPool, TxHandoff handoff, IoUring ring, EventFd wake) {
        this.socket = socket;
        this.rxPool = rxPool;
        this.handoff = handoff;
        this.ring = ring;
        this.wake = wake;
        this.copyLimit = Math.min(ring.bufferSize(), rxPool.slotBytes() - offset);
        int buffers = ring.config().bufferCount();
        this.backlogIds = new int[buffers];
        this.backlogLengths = new int[buffers];
        this.backlogMask = buffers - 1;
        handoff.wakeup(this::wake);
    }

    /**
     * Creates the ring on the calling thread, which becomes its owner and must drive and
     * close it.
     *
     * @param socket a UDP socket connected to the hub (frames at offset 0)
     * @throws IllegalStateException when io_uring cannot be set up (the kernel's reason)
     */
    public static UringLink create(UdpSocket socket, SlotPool rxPool, TxHandoff handoff, IoUring.Config config) {
        if (!IoUring.isAvailable()) {
            throw new IllegalStateException(IoUring.unavailabilityCause());
        }
        EventFd wake = EventFd.open();
        try {
            IoUring ring = IoUring.create(config);
            try {
                return new UringLink(socket, rxPool, handoff, ring, wake);
            } catch (RuntimeException e) {
                ring.close();
                throw e;
            }
        } catch (RuntimeException e) {
            wake.close();
            throw e;
        }
    }

    /** The RX ring the datagrams go to (before the first {@link #doWork}). */
    public void attach(RingPipeline rxRing) {
        this.rx = rxRing;
    }

    /**
     * Wakes the reactor if it waits in the kernel (one eventfd write); any thread. link-tx
     * calls it through the hand-off only while the reactor is parked.
     */
    public void wake() {
        if (wake.signal() < 0) {
            wakeErrors.incrementAndGet(); // -EBADF once the reactor closed: link-tx outlives it at shutdown
        }
    }

    /**
     * One cycle: deliver waiting datagrams, arm what needs arming, queue the sends,
     * submit them together, reap completions. Returns the work done (0: nothing to do).
     */
    public int doWork() {
        int work = deliver();
        long now = System.nanoTime();
        if (rx.publishTimerIfDue(now)) {
            work++;
        }
        if (!recvArmed && now - rearmNotBefore >= 0 && backlog() <= backlogIds.length * 3L / 4) {
            if (ring.recvMultishot(socket.fd(), RECV) == 0) {
                recvArmed = true;
                unsubmitted = true;
            }
        }
        if (!wakeArmed && ring.read(wake.fd(), wakeCounter.address(), EventFd.COUNTER_BYTES, WAKE) == 0) {
            wakeArmed = true;
            unsubmitted = true;
        }
        while (handoff.hasNext()) {
            long seq = handoff.nextSequence();
            if (ring.send(socket.fd(), handoff.address(seq), handoff.length(seq), SEND | seq) != 0) {
                break; // the submission queue is full: submit, the rest next cycle
            }
            handoff.advance();
            unsubmitted = true;
            work++;
        }
        if (unsubmitted) {
            int rc = ring.submit();
            if (rc < 0) {
                error("io_uring submit", rc);
            } else {
                count(submits);
                unsubmitted = false;
            }
        }
        int n = ring.complete(tags, results, flags, BATCH);
        for (int i = 0; i < n; i++) {
            onCompletion(tags[i], results[i], flags[i]);
        }
        if (n < 0) {
            error("io_uring complete", n);
            n = 0;
        }
        return work + n + deliver();
    }

    private void onCompletion(long tag, int result, int flag) {
        long kind = tag & ~SEQ_MASK;
        if (kind == SEND) {
            handoff.done(tag & SEQ_MASK);
            if (result >= 0) {
                count(sent);
                sentBytes.setRelease(sentBytes.getPlain() + result);
            } else {
                count(sendErrors); // e.g. ECONNREFUSED after an ICMP port unreachable: the frame is lost, go on
            }
        } else if (kind == RECV) {
            if ((flag & IoUring.F_BUFFER) != 0) {
                int id = IoUring.bufferId(flag);
                if (result > 0) {
                    int i = (int) backlogTail & backlogMask;
                    backlogIds[i] = id;
                    backlogLengths[i] = Math.min(result, copyLimit);
                    backlogTail++;
                    count(received);
                    receivedBytes.setRelease(receivedBytes.getPlain() + result);
                } else {
                    recycle(id);
                }
            }
            if (result < 0) {
                if (result == -ENOBUFS) {
                    count(enobufs);
                } else {
                    count(recvErrors);
                }
            }
            if ((flag & IoUring.F_MORE) == 0) {
                recvArmed = false;
                count(rearms);
                if (result < 0 && result != -ENOBUFS) {
                    rearmDelayMillis = Math.min(MAX_REARM_DELAY_MILLIS, Math.max(1, rearmDelayMillis * 2));
                    rearmNotBefore = System.nanoTime() + rearmDelayMillis * 1_000_000L;
                } else {
                    rearmDelayMillis = 0;
                }
            } else if (result > 0) {
                rearmDelayMillis = 0;
            }
        } else if (kind == WAKE) {
            wakeArmed = false;
        } else {
            count(faults);
        }
    }

    /** Copies waiting datagrams into RX slots and publishes them, in order; recycles their buffers. */
    private int deliver() {
        int delivered = 0;
        long stamp = 0;
        while (backlogHead != backlogTail) {
            int slot = heldSlot != SlotPool.NO_SLOT ? heldSlot : rxPool.alloc();
            if (slot == SlotPool.NO_SLOT) {
                count(noSlot);
                break;
            }
            heldSlot = slot;
            int i = (int) backlogHead & backlogMask;
            int id = backlogIds[i];
            int length = backlogLengths[i];
            rxPool.buffer().put(rxPool.base(slot) + offset, ring.buffers().buffer(), ring.bufferOffset(id), length);
            if (stamp == 0) {
                stamp = System.nanoTime();
            }
            if (!rx.tryPublish(slot, offset, length, stamp)) {
                count(ringFull);
                break;
            }
            heldSlot = SlotPool.NO_SLOT;
            backlogHead++;
            recycle(id);
            delivered++;
        }
        flushRecycled();
        return delivered;
    }

    private long backlog() {
        return backlogTail - backlogHead;
    }

    private void recycle(int id) {
        recycleIds[recycleCount++] = id;
        if (recycleCount == recycleIds.length) {
            flushRecycled();
        }
    }

    private void flushRecycled() {
        if (recycleCount > 0) {
            int rc = ring.recycle(recycleIds, recycleCount);
            if (rc < 0) {
                error("io_uring recycle", rc);
            }
            recycleCount = 0;
        }
    }

    /**
     * Nothing to do: waits in the kernel for a completion (a datagram, a send, or
     * link-tx's wake-up) up to {@link #IDLE_WAIT_MILLIS}, or {@link #BACKLOG_WAIT_MILLIS}
     * while datagrams wait for slots or the receive waits to be re-armed.
     */
    public void idle() {
        if (!handoff.park()) {
            return;
        }
        count(parks);
        int wait = backlog() > 0 || !recvArmed || unsubmitted ? BACKLOG_WAIT_MILLIS : IDLE_WAIT_MILLIS;
        int rc = ring.await(rx.idleMillis(System.nanoTime(), wait));
        handoff.unpark();
        if (rc < 0) {
            error("io_uring wait", rc);
        }
    }

    /** Thread tier of errors (STYLE.md 9): counted, logged once per distinct kind, and the loop goes on. */
    private void error(String what, int rc) {
        count(faults);
        if (errorsSeen.size() < DISTINCT_ERRORS && errorsSeen.add(what + rc)) {
            LOG.warn("{}: {} (further ones counted only)", what, org.m13.sys.Native.errnoText(-rc));
        }
    }

    /** A fault thrown by the loop (the runner catches it): counted and logged once per distinct message. */
    void fault(RuntimeException e) {
        count(faults);
        String key = e.getClass().getName() + ": " + e.getMessage();
        if (errorsSeen.size() < DISTINCT_ERRORS && errorsSeen.add(key)) {
            LOG.error("io_uring link: {} (going on; further ones counted only)", key, e);
        }
    }

    private static void count(AtomicLong counter) {
        counter.setRelease(counter.getPlain() + 1);
    }

    /**
     * Cancels and reaps the armed requests and frees the ring (the owner thread). The
     * hand-off stops waking first; the eventfd closes last, after the ring's teardown,
     * so a wake-up already under way on link-tx's thread never writes to a reused number.
     */
    @Override
    public void close() {
        handoff.wakeup(() -> { });
        ring.close();
        wake.close();
    }

    public IoUring.Config config() {
        return ring.config();
    }

    /** Datagrams received (handed to the backlog, then the RX ring). */
    public long received() {
        return received.get();
    }

    public long receivedBytes() {
        return receivedBytes.get();
    }

    /** Sends that completed. */
    public long sent() {
        return sent.get();
    }

    public long sentBytes() {
        return sentBytes.get();
    }

    /** Receive completions with an error other than -ENOBUFS. */
    public long recvErrors() {
        return recvErrors.get();
    }

    /** Sends that completed with an error (the frame is lost). */
    public long sendErrors() {
        return sendErrors.get();
    }

    /** Times the multishot receive ended and was armed again. */
    public long rearms() {
        return rearms.get();
    }

    /** Multishot ends because every provided buffer was out. */
    public long enobufs() {
        return enobufs.get();
    }

    /** Times a datagram waited because every RX slot was in use. */
    public long noSlot() {
        return noSlot.get();
    }

    /** Times a datagram waited because the RX ring was full. */
    public long ringFull() {
        return ringFull.get();
    }

    public long submits() {
        return submits.get();
    }

    /** Times the reactor parked in the kernel. */
    public long parks() {
        return parks.get();
    }

    /** Failed ring calls and exceptions caught by the loop. */
    public long faults() {
        return faults.get() + wakeErrors.get();
    }

    /** Errors of any kind: receive, send, ring. */
    public long errors() {
        return recvErrors() + sendErrors() + faults();
    }
}
