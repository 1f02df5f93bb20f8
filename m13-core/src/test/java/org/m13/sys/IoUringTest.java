package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring with a provided buffer ring: multishot receive, re-arm on ENOBUFS, sends,
 * the single-issuer rule and prompt release on close. The 10 000-datagram burst runs
 * on a veth pair between namespaces (root); the rest on the loopback of the JVM's
 * own namespace (no privileges).
 */
@Timeout(60)
class IoUringTest {
    private static final long RECV = 1;
    private static final long SEND = 2;
    private static final int ENOBUFS = 105;
    private static final int EEXIST = 17;
    private static final InetSocketAddress LOOPBACK = loopback(0);

    @BeforeEach
    void available() {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
    }

    @Test
    void multishotReceivesABurstOf10000DatagramsOnAVethPairWithNoBufferLeak() throws Exception {
        NetnsFixture.assumeRootAndNative();
        int count = 10_000;
        try (NetnsFixture net = new NetnsFixture()) {
            String hub = net.namespace("hub");
            String peer = net.namespace("peer");
            String hubLink = net.link("h");
            net.veth(hubLink, hub, net.link("p"), peer);
            NetnsFixture.ip("-n", hub, "addr", "add", "192.0.2.1/24", "dev", hubLink);
            NetnsFixture.ip("-n", peer, "addr", "add", "192.0.2.2/24", "dev", net.link("p"));
            InetSocketAddress hubAddress = new InetSocketAddress("192.0.2.1", 443);
            InetSocketAddress peerAddress = new InetSocketAddress("192.0.2.2", 5000);
            try (UdpSocket receiver = net.callIn(hub, () -> UdpSocket.open(hubAddress, peerAddress, 4 << 20));
                    UdpSocket sender = net.callIn(peer, () -> UdpSocket.open(peerAddress, hubAddress, 0));
                    IoUring ring = IoUring.create(new IoUring.Config(256, 512, 2048, false, 0, true))) {
                Burst burst = new Burst(ring, receiver, count);
                ExecutorService inPeer = net.threadIn(peer);
                Future<Integer> sent = inPeer.submit(() -> sendPaced(sender, count, burst.received, 1024));
                burst.run(TimeUnit.SECONDS.toNanos(20));
                assertEquals(count, NetnsFixture.await(sent));
                assertEquals(count, burst.received.get(), "every datagram arrived");
                assertEquals(0, burst.outstanding(), "every buffer went back to the ring");
                System.out.println("io_uring burst: " + count + " datagrams, " + burst.rearms + " re-arms");
            }
        }
    }

    @Test
    void anExhaustedBufferRingEndsTheMultishotWithEnobufsAndReArmingLosesNothing() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 0);
                UdpSocket sender = UdpSocket.open(LOOPBACK, loopback(receiver.localPort()), 0);
                IoUring ring = IoUring.create(new IoUring.Config(64, 4, 256, false, 0, true))) {
            OffHeap out = OffHeap.allocate(64);
            for (int i = 0; i < 10; i++) {
                out.buffer().putInt(0, i);
                assertEquals(4, sender.send(out.address(), 4));
            }
            long[] tags = new long[16];
            int[] results = new int[16];
            int[] flags = new int[16];
            int[] ids = new int[16];
            int next = 0;
            int enobufs = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (next < 10 && System.nanoTime() < deadline) {
                // Arm with all four buffers free; the request dies when they run out.
                assertEquals(0, ring.recvMultishot(receiver.fd(), RECV));
                assertEquals(1, ring.submit());
                boolean armed = true;
                int held = 0;
                while (armed && System.nanoTime() < deadline) {
                    int n = ring.complete(tags, results, flags, tags.length);
                    if (n == 0) {
                        assertTrue(ring.await(1000) >= 0);
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        assertEquals(RECV, tags[i]);
                        if (results[i] > 0) {
                            assertTrue((flags[i] & IoUring.F_BUFFER) != 0);
                            int id = IoUring.bufferId(flags[i]);
                            assertEquals(next, ring.buffers().buffer().getInt(ring.bufferOffset(id)), "in order");
                            next++;
                            ids[held++] = id;
                        } else {
                            assertEquals(-ENOBUFS, results[i]);
                            enobufs++;
                        }
                        armed = (flags[i] & IoUring.F_MORE) != 0;
                    }
                    if (next == 10) {
                        break;
                    }
                }
                assertEquals(held, ring.recycle(ids, held));
            }
            assertEquals(10, next);
            assertTrue(enobufs >= 2, "10 datagrams through 4 buffers end the request at least twice: " + enobufs);
        }
    }

    @Test
    void sendsThroughTheRingReachThePeerInOrder() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 1 << 20);
                UdpSocket sender = UdpSocket.open(LOOPBACK, loopback(receiver.localPort()), 0);
                IoUring ring = IoUring.create(IoUring.Config.defaults())) {
            int count = 100;
            OffHeap out = OffHeap.allocate(count * 64);
            for (int i = 0; i < count; i++) {
                out.buffer().putInt(i * 64, 7000 + i);
                assertEquals(0, ring.send(sender.fd(), out.address() + i * 64L, 40, SEND + i));
            }
            assertEquals(count, ring.submit());
            int done = reap(ring, count, (tag, result, flag) -> assertEquals(40, result, "sent " + tag));
            assertEquals(count, done);
            OffHeap in = OffHeap.allocate(64);
            for (int i = 0; i < count; i++) {
                assertEquals(40, receiver.receive(in.address(), 64));
                assertEquals(7000 + i, in.buffer().getInt(0));
            }
            assertEquals(0, receiver.receive(in.address(), 64), "nothing more: would block");
        }
    }

    @Test
    void aSingleIssuerRingRefusesSubmissionsFromAnotherThread() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (UdpSocket socket = UdpSocket.open(LOOPBACK, LOOPBACK, 0);
                IoUring ring = IoUring.create(IoUring.Config.defaults())) {
            OffHeap out = OffHeap.allocate(8);
            assertEquals(0, ring.send(socket.fd(), out.address(), 8, SEND));
            Future<Integer> foreign = other.submit(ring::submit);
            assertEquals(-EEXIST, NetnsFixture.await(foreign));
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void anSqpollRingCompletesSends() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 0);
                UdpSocket sender = UdpSocket.open(LOOPBACK, loopback(receiver.localPort()), 0);
                IoUring ring = IoUring.create(new IoUring.Config(64, 64, 2048, true, 20, false))) {
            OffHeap out = OffHeap.allocate(16);
            for (int i = 0; i < 10; i++) {
                assertEquals(0, ring.send(sender.fd(), out.address(), 16, SEND));
                // With SQPOLL liburing reports the entries the kernel thread has not taken yet.
                int pending = ring.submit();
                assertTrue(pending >= 1 && pending <= i + 1, "pending " + pending);
            }
            assertEquals(10, reap(ring, 10, (tag, result, flag) -> assertEquals(16, result)));
        }
    }

    @Test
    void closingTheRingReleasesTheSocketItsArmedRequestHeld() throws Exception {
        IoUring ring = IoUring.create(IoUring.Config.defaults());
        try {
            UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 0);
            int port = receiver.localPort();
            assertEquals(0, ring.recvMultishot(receiver.fd(), RECV));
            assertEquals(1, ring.submit());
            assertEquals(0, ring.await(50), "armed, nothing received");
            receiver.close();
            // The armed request still holds the socket: the port stays taken (no SO_REUSEADDR)...
            IllegalStateException taken = assertThrows(IllegalStateException.class,
                    () -> UdpSocket.open(loopback(port), null, 0).close());
            assertTrue(taken.getMessage().contains("Address already in use"), taken.getMessage());
            // ...until close() cancels and reaps it.
            ring.close();
            assertEquals(-9, ring.cancelAll(100), "closed");
            try (UdpSocket again = UdpSocket.open(loopback(port), null, 0)) {
                assertEquals(port, again.localPort());
            }
        } finally {
            ring.close();
        }
    }

    @Test
    void cancelAllReapsTheArmedMultishotAndItsOwnCompletion() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 0);
                IoUring ring = IoUring.create(IoUring.Config.defaults())) {
            assertEquals(0, ring.recvMultishot(receiver.fd(), RECV));
            assertEquals(0, ring.recvMultishot(receiver.fd(), RECV + 1));
            assertEquals(2, ring.submit());
            assertEquals(0, ring.await(20));
            assertEquals(3, ring.cancelAll(1000), "two -ECANCELED completions and the cancel's own");
            assertEquals(0, ring.complete(new long[4], new int[4], new int[4], 4), "nothing left");
        }
    }

    @Test
    void cancelEndsOneTaggedRequest() throws Exception {
        try (UdpSocket receiver = UdpSocket.open(LOOPBACK, null, 0);
                IoUring ring = IoUring.create(IoUring.Config.defaults())) {
            assertEquals(0, ring.recvMultishot(receiver.fd(), RECV));
            assertEquals(0, ring.recvMultishot(receiver.fd(), RECV + 1));
            assertEquals(2, ring.submit());
            assertEquals(0, ring.cancel(RECV, 99));
            assertEquals(1, ring.submit());
            java.util.Map<Long, Integer> results = new java.util.HashMap<>();
            assertEquals(2, reap(ring, 2, (tag, result, flag) -> results.put(tag, result)));
            assertEquals(java.util.Map.of(99L, 0, RECV, -125), results, "cancel ok, the request -ECANCELED");
            assertEquals(2, ring.cancelAll(1000), "the other request was still armed: its -ECANCELED and the cancel");
        }
    }

    @Test
    void hotCallsOnAClosedRingReturnEbadfInsteadOfCrashing() {
        IoUring ring = IoUring.create(IoUring.Config.defaults());
        ring.close();
        ring.close();
        assertEquals(-9, ring.submit());
        assertEquals(-9, ring.recvMultishot(0, RECV));
        assertEquals(-9, ring.complete(new long[1], new int[1], new int[1], 1));
        assertFalse(ring.buffers().capacity() == 0);
    }

    private static InetSocketAddress loopback(int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private interface Completion {
        void accept(long tag, int result, int flags);
    }

    private static int reap(IoUring ring, int expected, Completion each) {
        long[] tags = new long[64];
        int[] results = new int[64];
        int[] flags = new int[64];
        int done = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (done < expected && System.nanoTime() < deadline) {
            int n = ring.complete(tags, results, flags, tags.length);
            for (int i = 0; i < n; i++) {
                each.accept(tags[i], results[i], flags[i]);
            }
            done += n;
            if (n == 0) {
                assertTrue(ring.await(100) >= 0);
            }
        }
        return done;
    }

    private static int sendPaced(UdpSocket sender, int count, AtomicInteger received, int window) {
        OffHeap out = OffHeap.allocate(64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int sent = 0;
        while (sent < count && System.nanoTime() < deadline) {
            if (sent - received.get() >= window) {
                Thread.onSpinWait();
                continue;
            }
            out.buffer().putInt(0, sent);
            int n = Native.check("send", sender.send(out.address(), 64));
            if (n == 64) {
                sent++;
            }
        }
        return sent;
    }

    /** The receive loop of a hub: arm, harvest in batches, check order, recycle, re-arm. */
    private static final class Burst {
        final AtomicInteger received = new AtomicInteger();
        int rearms;
        private final IoUring ring;
        private final UdpSocket socket;
        private final int count;
        private final boolean[] inUse;

        Burst(IoUring ring, UdpSocket socket, int count) {
            this.ring = ring;
            this.socket = socket;
            this.count = count;
            this.inUse = new boolean[ring.config().bufferCount()];
        }

        void run(long timeoutNanos) {
            long[] tags = new long[256];
            int[] results = new int[256];
            int[] flags = new int[256];
            int[] recycle = new int[256];
            ByteBuffer buffers = ring.buffers().buffer();
            assertEquals(0, ring.recvMultishot(socket.fd(), RECV));
            assertEquals(1, ring.submit());
            long deadline = System.nanoTime() + timeoutNanos;
            while (received.get() < count && System.nanoTime() < deadline) {
                int n = ring.complete(tags, results, flags, tags.length);
                if (n == 0) {
                    assertTrue(ring.await(100) >= 0);
                    continue;
                }
                int r = 0;
                boolean rearm = false;
                for (int i = 0; i < n; i++) {
                    assertEquals(RECV, tags[i]);
                    if (results[i] > 0) {
                        assertNotEquals(0, flags[i] & IoUring.F_BUFFER);
                        int id = IoUring.bufferId(flags[i]);
                        assertFalse(inUse[id], "buffer " + id + " handed out twice");
                        inUse[id] = true;
                        assertEquals(64, results[i]);
                        assertEquals(received.get(), buffers.getInt(ring.bufferOffset(id)), "in order");
                        received.incrementAndGet();
                        recycle[r++] = id;
                    } else {
                        assertEquals(-ENOBUFS, results[i], "only buffer exhaustion ends the request");
                    }
                    if ((flags[i] & IoUring.F_MORE) == 0) {
                        rearm = true;
                    }
                }
                assertEquals(r, ring.recycle(recycle, r));
                for (int i = 0; i < r; i++) {
                    inUse[recycle[i]] = false;
                }
                if (rearm) {
                    rearms++;
                    assertEquals(0, ring.recvMultishot(socket.fd(), RECV));
                    assertEquals(1, ring.submit());
                }
            }
        }

        int outstanding() {
            int out = 0;
            for (boolean b : inUse) {
                out += b ? 1 : 0;
            }
            return out;
        }
    }
}
