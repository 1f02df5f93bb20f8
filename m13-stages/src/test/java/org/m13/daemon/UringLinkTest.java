package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.lmax.disruptor.BlockingWaitStrategy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.m13.stage.FrameEvent;
import org.m13.stage.FusedHandler;
import org.m13.stage.NanoClock;
import org.m13.stage.Release;
import org.m13.stage.RingPipeline;
import org.m13.stage.SlotPool;
import org.m13.stage.Stage;
import org.m13.sys.IoUring;
import org.m13.sys.OffHeap;
import org.m13.sys.UdpSocket;

/**
 * The io_uring link over loopback UDP sockets (unprivileged): the test thread is the
 * reactor's owner and drives its cycles; a "hub" socket sends and receives plainly. RX
 * into a real ring whose consumer checks the order and releases the slots; TX from a
 * link-tx thread through the hand-off; re-arm after the buffers ran out; datagrams
 * waiting for slots; the daemon's thread wrapper.
 */
@Timeout(120)
class UringLinkTest {
    private static final int LOOPBACK_IP = 0x7F00_0001;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @BeforeEach
    void available() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
    }

    private static InetSocketAddress loopback(int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A hub socket and a node socket connected to each other on loopback. */
    private static final class Pair implements AutoCloseable {
        final UdpSocket hub;
        final UdpSocket node;

        Pair() {
            hub = UdpSocket.open(loopback(0), null, 4 << 20);
            node = UdpSocket.open(loopback(0), loopback(hub.localPort()), 4 << 20);
        }

        @Override
        public void close() {
            node.close();
            hub.close();
        }
    }

    /** The RX ring's consumer: checks each frame carries the next sequence number, then release frees it. */
    private static final class InOrder implements Stage {
        private final SlotPool pool;
        final AtomicLong seen = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong badLength = new AtomicLong();
        private final CountDownLatch gate;
        private final long holdUntil;

        InOrder(SlotPool pool, CountDownLatch gate, long holdUntil) {
            this.pool = pool;
            this.gate = gate;
            this.holdUntil = holdUntil;
        }

        @Override
        public String role() {
            return "in-order";
        }

        @Override
        public void onEvent(FrameEvent event) {
            long n = seen.get();
            if (n == holdUntil) {
                try {
                    var unused = gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int at = pool.base(event.slot()) + event.offset();
            int seq = pool.buffer().getInt(at);
            outOfOrder.addAndGet(seq == n ? 0 : 1);
            badLength.addAndGet(event.length() == lengthOf(seq) ? 0 : 1);
            seen.set(n + 1);
        }
    }

    private static int lengthOf(int seq) {
        return 62 + seq % 1300;
    }

    private static RingPipeline rxRing(SlotPool pool, Stage check) {
        return RingPipeline.singleProducer("rx", 1024, new BlockingWaitStrategy(), runnable -> {
            Thread t = new Thread(runnable, "m13-rx-test");
            t.setDaemon(true);
            return t;
        }, new FusedHandler("rx-0", check, new Release(pool, NanoClock.SYSTEM)));
    }

    /** Sends {@code count} datagrams numbered 0.. from the hub's socket to the node's, no faster than the receiver has taken them (minus a window). */
    private static Thread sender(Pair p, int count, AtomicLong received, int window,
            AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                OffHeap out = OffHeap.allocate(2048);
                long deadline = System.nanoTime() + DEADLINE_NANOS;
                for (int i = 0; i < count && System.nanoTime() < deadline;) {
                    if (i - received.get() >= window) {
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                        continue;
                    }
                    out.buffer().putInt(0, i);
                    int n = p.hub.sendTo(out.address(), lengthOf(i), LOOPBACK_IP, p.node.localPort());
                    if (n == lengthOf(i)) {
                        i++;
                    } else if (n < 0) {
                        throw new IllegalStateException("send: " + n);
                    }
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "hub-sender");
        t.setDaemon(true);
        return t;
    }

    /** Drives the reactor on this thread until {@code done} holds. */
    private static void drive(UringLink link, BooleanSupplier done) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            if (link.doWork() == 0) {
                link.idle();
            }
        }
    }

    @Test
    void datagramsFromTheHubReachTheRxRingInOrderAndEverySlotComesBack() throws Exception {
        int count = 20_000;
        SlotPool pool = new SlotPool(256, 2048);
        InOrder check = new InOrder(pool, new CountDownLatch(0), -1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Pair p = new Pair(); RingPipeline rx = rxRing(pool, check);
                UringLink link = UringLink.create(p.node, pool, new TxHandoff(16, 2048),
                        new IoUring.Config(64, 128, 2048, false, 0, true))) {
            link.attach(rx);
            rx.start();
            Thread sender = sender(p, count, check.seen, 1000, failure);
            sender.start();
            drive(link, () -> check.seen.get() == count || failure.get() != null);
            sender.join(10_000);
            assertEquals(null, failure.get());
            assertEquals(count, check.seen.get(), "every datagram reached the ring");
            assertEquals(0, check.outOfOrder.get(), "in order");
            assertEquals(0, check.badLength.get(), "whole datagrams");
            assertEquals(count, link.received());
            assertTrue(rx.awaitDrained(10, TimeUnit.SECONDS));
            assertEquals(0, pool.inUse(), "slot leak");
            assertEquals(0, link.errors(), "errors");
            System.out.println("io_uring link rx: " + count + " datagrams, " + link.rearms() + " re-arms ("
                    + link.enobufs() + " after ENOBUFS), " + link.noSlot() + " waits for a slot, " + link.parks()
                    + " parks");
        }
    }

    @Test
    void whenSlotsRunOutDatagramsWaitInTheirBuffersThenTheSocketAndNothingIsLost() throws Exception {
        int count = 600;
        SlotPool pool = new SlotPool(8, 2048);
        CountDownLatch gate = new CountDownLatch(1);
        InOrder check = new InOrder(pool, gate, 4); // the consumer stalls on the 5th frame until the gate opens
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Pair p = new Pair(); RingPipeline rx = rxRing(pool, check);
                UringLink link = UringLink.create(p.node, pool, new TxHandoff(16, 2048),
                        new IoUring.Config(64, 32, 2048, false, 0, true))) {
            link.attach(rx);
            rx.start();
            Thread sender = sender(p, count, new AtomicLong(), Integer.MAX_VALUE, failure);
            sender.start();
            sender.join(30_000); // 600 datagrams fit the node socket's 4 MB buffer
            drive(link, () -> link.enobufs() > 0 && link.noSlot() > 0);
            assertTrue(link.enobufs() > 0, "all 32 buffers held by datagrams waiting for a slot");
            assertTrue(check.seen.get() <= 5);
            gate.countDown();
            drive(link, () -> check.seen.get() == count);
            assertEquals(null, failure.get());
            assertEquals(count, check.seen.get(), "nothing lost");
            assertEquals(0, check.outOfOrder.get(), "in order across the waits and re-arms");
            assertTrue(link.rearms() > 0);
            assertTrue(rx.awaitDrained(10, TimeUnit.SECONDS));
            assertEquals(0, pool.inUse(), "slot leak");
        }
    }

    @Test
    void framesHandedOffByLinkTxReachTheHubInOrder() throws Exception {
        int count = 20_000;
        SlotPool tx = new SlotPool(4, 2048);
        TxHandoff handoff = new TxHandoff(64, 2048);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong refused = new AtomicLong();
        AtomicLong hubReceived = new AtomicLong();
        AtomicLong outOfOrder = new AtomicLong();
        SlotPool rxPool = new SlotPool(8, 2048);
        try (Pair p = new Pair(); RingPipeline rx = rxRing(rxPool, new InOrder(rxPool, new CountDownLatch(0), -1));
                UringLink link = UringLink.create(p.node, rxPool, handoff,
                        new IoUring.Config(32, 16, 2048, false, 0, true))) {
            link.attach(rx);
            rx.start();
            Thread linkTx = new Thread(() -> {
                try {
                    int slot = tx.alloc();
                    for (int i = 0; i < count;) {
                        tx.buffer().putInt(tx.base(slot), i);
                        if (handoff.send(tx.buffer(), tx.base(slot), lengthOf(i))) {
                            i++;
                            if (i % 1000 == 0) {
                                Thread.sleep(1); // let the reactor park now and then: the wake-up path
                            }
                        } else {
                            refused.incrementAndGet();
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                        }
                    }
                } catch (RuntimeException | InterruptedException e) {
                    failure.set(e);
                }
            }, "link-tx");
            Thread hub = new Thread(() -> {
                OffHeap in = OffHeap.allocate(2048);
                long deadline = System.nanoTime() + DEADLINE_NANOS;
                while (hubReceived.get() < count && System.nanoTime() < deadline) {
                    int n = p.hub.receive(in.address(), 2048);
                    if (n > 0) {
                        long i = hubReceived.get();
                        outOfOrder.addAndGet(in.buffer().getInt(0) == i && n == lengthOf((int) i) ? 0 : 1);
                        hubReceived.set(i + 1);
                    } else if (n == 0) {
                        var unused = p.hub.poll(org.m13.sys.Tun.POLLIN, 100);
                    }
                }
            }, "hub-receiver");
            hub.setDaemon(true);
            linkTx.setDaemon(true);
            hub.start();
            linkTx.start();
            drive(link, () -> link.sent() == count || failure.get() != null);
            hub.join(30_000);
            linkTx.join(10_000);
            assertEquals(null, failure.get());
            assertEquals(count, link.sent());
            assertEquals(0, link.sendErrors());
            assertEquals(count, hubReceived.get(), "every frame reached the hub (loopback loses nothing at this pace)");
            assertEquals(0, outOfOrder.get());
            assertEquals(0, handoff.inFlight(), "every entry completed and freed");
            assertTrue(link.submits() < count, "sends batched: " + link.submits() + " submits for " + count);
            System.out.println("io_uring link tx: " + count + " frames in " + link.submits() + " submits, "
                    + handoff.wakeups() + " wake-ups, " + refused.get() + " refused (hand-off full)");
        }
    }

    @Test
    void theThreadCreatesTheRingRunsAndClosesItAndTheSocketIsFreeAfterwards() throws Exception {
        SlotPool pool = new SlotPool(64, 2048);
        InOrder check = new InOrder(pool, new CountDownLatch(0), -1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int port;
        try (Pair p = new Pair(); RingPipeline rx = rxRing(pool, check)) {
            port = p.node.localPort();
            UringLinkThread t = UringLinkThread.open("m13-link-test", p.node, pool, new TxHandoff(16, 2048),
                    new IoUring.Config(64, 64, 2048, false, 0, true));
            try {
                rx.start();
                t.start(rx);
                Thread sender = sender(p, 1000, check.seen, 200, failure);
                sender.start();
                sender.join(60_000);
                long deadline = System.nanoTime() + DEADLINE_NANOS;
                while (check.seen.get() < 1000 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(1000, check.seen.get());
                assertEquals(1000, t.link().received());
                // idle: the reactor waits in the kernel, 100 ms at a time, instead of spinning
                long parks = t.link().parks();
                long cpu = threadCpuNanos("m13-link-test");
                Thread.sleep(1000);
                assertTrue(t.link().parks() - parks <= 1000 / UringLink.IDLE_WAIT_MILLIS + 2,
                        "parks during 1 s idle: " + (t.link().parks() - parks));
                long used = threadCpuNanos("m13-link-test") - cpu;
                assertTrue(used < TimeUnit.MILLISECONDS.toNanos(500), "idle reactor used " + used + " ns of CPU in 1 s");
            } finally {
                t.close();
            }
        }
        // the ring's close (on its own thread) cancelled the armed receive: the port is free at once
        try (UdpSocket again = UdpSocket.open(loopback(port), null, 0)) {
            assertEquals(port, again.localPort());
        }
        assertEquals(null, failure.get());
    }

    /** CPU time of the live thread named {@code name} (-1 when the JVM cannot say). */
    private static long threadCpuNanos(String name) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return mx.getThreadCpuTime(t.getId());
            }
        }
        throw new AssertionError("no thread " + name);
    }

    @Test
    void aRingThatCannotBeCreatedIsReportedWithTheKernelsReason() {
        try (Pair p = new Pair()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> UringLinkThread.open("m13-link-test", p.node, new SlotPool(8, 2048), new TxHandoff(16, 2048),
                            new IoUring.Config(1 << 20, 16, 2048, false, 0, true)).close());
            assertTrue(e.getMessage().contains("io_uring_queue_init_params"), e.getMessage());
        }
    }
}
