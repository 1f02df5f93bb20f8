package org.m13.daemon;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.sys.IoUring;
import org.m13.sys.UdpSocket;

/**
 * The thread that owns a {@link UringLink}: it creates the ring (so the ring's single
 * issuer is this thread), waits for {@link #start}, then runs {@code doWork}; with
 * nothing to do it spins, yields, then parks in the kernel, until {@link #close}; it
 * closes the ring itself. {@link #open} returns once the ring exists, or throws the reason it could not
 * be created, so the caller can choose another link before wiring the stages.
 */
public final class UringLinkThread implements AutoCloseable {
    private static final long CREATE_TIMEOUT_SECONDS = 10;
    private static final long FAULT_PAUSE_NANOS = 1_000_000L;
    /**
     * Empty cycles spun, then yielded, before the reactor parks in the kernel (like the
     * rings' backoff wait): under load the next frame usually comes within them, so
     * link-tx rarely pays an eventfd write and the reactor rarely a wait system call.
     */
    static final int SPINS = 100;
    static final int YIELDS = 100;

    private final Thread thread;
    private final CountDownLatch created = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);
    private final UdpSocket socket;
    private final SlotPool rxPool;
    private final TxHandoff handoff;
    private final IoUring.Config config;
    private volatile UringLink link;
    private volatile String failure;
    private volatile RingPipeline rx;
    private volatile boolean running = true;
    private boolean closed;

    private UringLinkThread(String name, UdpSocket socket, SlotPool rxPool, TxHandoff handoff,
            IoUring.Config config) {
        this.socket = socket;
        this.rxPool = rxPool;
        this.handoff = handoff;
        this.config = config;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * Starts the thread and waits until it created the ring.
     *
     * @throws IllegalStateException with the reason when io_uring cannot be used here
     */
    public static UringLinkThread open(String name, UdpSocket socket, SlotPool rxPool, TxHandoff handoff,
            IoUring.Config config) {
        UringLinkThread t = new UringLinkThread(name, socket, rxPool, handoff, config);
        t.thread.start();
        try {
            if (!t.created.await(CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                t.close();
                throw new IllegalStateException("the io_uring thread did not create its ring within "
                        + CREATE_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.close();
            throw new IllegalStateException("interrupted while creating the io_uring ring", e);
        }
        if (t.failure != null) {
            t.close();
            throw new IllegalStateException(t.failure);
        }
        return t;
    }

    // yields between spinning and parking, as the rings' backoff wait (SleepingWaitStrategy) does
    @SuppressWarnings("ThreadPriorityCheck")
    private void run() {
        UringLink l;
        try {
            l = UringLink.create(socket, rxPool, handoff, config);
        } catch (RuntimeException e) {
            failure = e.getMessage();
            created.countDown();
            return;
        }
        link = l;
        created.countDown();
        try {
            go.await();
            if (!running) {
                return;
            }
            l.attach(rx);
            int idle = 0;
            while (running) {
                try {
                    if (l.doWork() > 0) {
                        idle = 0;
                    } else if (++idle <= SPINS) {
                        Thread.onSpinWait();
                    } else if (idle <= SPINS + YIELDS) {
                        Thread.yield();
                    } else {
                        l.idle();
                        idle = 0;
                    }
                } catch (RuntimeException e) {
                    l.fault(e);
                    LockSupport.parkNanos(FAULT_PAUSE_NANOS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            l.close();
        }
    }

    /** The reactor (its counters); null only before {@link #open} returned. */
    public UringLink link() {
        return link;
    }

    public String threadName() {
        return thread.getName();
    }

    /** Starts receiving into {@code rxRing} and sending what link-tx hands off. */
    public void start(RingPipeline rxRing) {
        this.rx = rxRing;
        go.countDown();
    }

    /** Stops the loop, waits up to 5 s for the thread, which cancels the armed requests and frees the ring. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        go.countDown();
        UringLink l = link;
        if (l != null) {
            l.wake();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
