package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TUN devices through the kernel, each test in its own network namespace (root only). */
@Timeout(30)
class TunTest {
    private static final int IPV4_HEADER = 20;
    private static final int UDP_HEADER = 8;
    private static final int PEER_PORT = 5353;
    private static final int ENOBUFS = 105;

    private NetnsFixture net;
    private String ns;

    @BeforeEach
    void namespace() {
        NetnsFixture.assumeRootAndNative();
        net = new NetnsFixture();
        ns = net.namespace("tun");
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void roundTripThroughTheKernelRoutingTable() throws Exception {
        String name = net.link("t");
        ExecutorService inNs = net.threadIn(ns);
        try (Tun tun = NetnsFixture.await(inNs.submit(() -> Tun.open(name)))) {
            assertEquals(name, tun.name());
            tun.setMtu(1400);
            tun.setUp(true);
            NetnsFixture.ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", name);
            // The device exists in the namespace only.
            assertTrue(NetnsFixture.ip("-n", ns, "-o", "link", "show", "dev", name).contains("mtu 1400"));
            assertThrows(IllegalStateException.class, () -> NetnsFixture.ip("-o", "link", "show", "dev", name));

            try (DatagramChannel socket = NetnsFixture.await(inNs.submit(() -> {
                DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
                c.bind(new InetSocketAddress("192.0.2.1", 0));
                c.connect(new InetSocketAddress("192.0.2.2", PEER_PORT));
                return c;
            }))) {
                int localPort = ((InetSocketAddress) socket.getLocalAddress()).getPort();
                OffHeap packet = OffHeap.allocate(2048);
                for (int i = 0; i < 20; i++) {
                    byte[] payload = payload(i, 1 + i * 68); // 1 .. 1293 bytes
                    assertEquals(payload.length, socket.write(ByteBuffer.wrap(payload)));

                    // The kernel routes 192.0.2.2 to the TUN: the datagram comes out as an IPv4 packet.
                    int length = readUdp(tun, packet);
                    ByteBuffer p = packet.buffer();
                    assertEquals(IPV4_HEADER + UDP_HEADER + payload.length, length);
                    assertEquals(InetAddress.getByName("192.0.2.1"), address(p, 12));
                    assertEquals(InetAddress.getByName("192.0.2.2"), address(p, 16));
                    assertEquals(localPort, p.getShort(IPV4_HEADER) & 0xFFFF);
                    assertEquals(PEER_PORT, p.getShort(IPV4_HEADER + 2) & 0xFFFF);
                    assertArrayEquals(payload, bytes(p, IPV4_HEADER + UDP_HEADER, payload.length));

                    // Echo: swap addresses and ports (the checksums stay valid) and inject it back.
                    swap(p, 12, 16, 4);
                    swap(p, IPV4_HEADER, IPV4_HEADER + 2, 2);
                    assertEquals(length, tun.write(packet.address(), length));

                    ByteBuffer reply = ByteBuffer.allocate(2048);
                    Future<Integer> received = inNs.submit(() -> socket.read(reply));
                    assertEquals(payload.length, NetnsFixture.await(received));
                    assertArrayEquals(payload, bytes(reply.flip(), 0, payload.length));
                }
            }
        }
        // Closing the only descriptor of a non-persistent TUN removes the device.
        assertThrows(IllegalStateException.class, () -> NetnsFixture.ip("-n", ns, "link", "show", "dev", name));
    }

    @Test
    void readsAndWritesThroughAnIoUringWithProvidedBuffers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(IoUring.isAvailable(),
                () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        String name = net.link("u");
        ExecutorService inNs = net.threadIn(ns);
        try (Tun tun = NetnsFixture.await(inNs.submit(() -> Tun.open(name)));
                IoUring ring = IoUring.create(new IoUring.Config(64, 16, 2048, false, 0, true))) {
            tun.setUp(true);
            NetnsFixture.ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", name);
            InetSocketAddress peer = new InetSocketAddress("192.0.2.2", PEER_PORT);
            try (UdpSocket socket = NetnsFixture.await(inNs.submit(
                    () -> UdpSocket.open(new InetSocketAddress("192.0.2.1", 0), peer, 0)))) {
                OffHeap out = OffHeap.allocate(2048);
                OffHeap in = OffHeap.allocate(2048);
                long[] tags = new long[8];
                int[] results = new int[8];
                int[] flags = new int[8];
                int[] ids = new int[1];
                ByteBuffer buffers = ring.buffers().buffer();
                for (int i = 0; i < 10; i++) {
                    byte[] payload = payload(i, 100 + i * 100);
                    out.buffer().put(0, payload);
                    assertEquals(payload.length, socket.send(out.address(), payload.length));

                    // Read the routed packet from the TUN into a provided buffer.
                    assertEquals(0, ring.readProvided(tun.fd(), 10));
                    assertEquals(1, ring.submit());
                    assertEquals(1, harvest(ring, tags, results, flags));
                    assertEquals(10, tags[0]);
                    assertEquals(IPV4_HEADER + UDP_HEADER + payload.length, results[0]);
                    assertTrue((flags[0] & IoUring.F_BUFFER) != 0);
                    int id = IoUring.bufferId(flags[0]);
                    int at = ring.bufferOffset(id);
                    ByteBuffer packet = buffers.slice(at, results[0]);
                    assertArrayEquals(payload, bytes(packet, IPV4_HEADER + UDP_HEADER, payload.length));

                    // Echo it in place and write it back through the same ring.
                    swap(packet, 12, 16, 4);
                    swap(packet, IPV4_HEADER, IPV4_HEADER + 2, 2);
                    assertEquals(0, ring.write(tun.fd(), ring.buffers().address() + at, results[0], 11));
                    assertEquals(1, ring.submit());
                    int length = results[0];
                    assertEquals(1, harvest(ring, tags, results, flags));
                    assertEquals(11, tags[0]);
                    assertEquals(length, results[0]);
                    ids[0] = id;
                    assertEquals(1, ring.recycle(ids, 1));

                    int got = 0;
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (got == 0 && System.nanoTime() < deadline) {
                        got = Native.check("recv", socket.receive(in.address(), 2048));
                    }
                    assertEquals(payload.length, got);
                    assertArrayEquals(payload, bytes(in.buffer(), 0, got));
                }
            }
        }
    }

    @Test
    void aMultishotReadDeliversEveryPacketAndIsReArmedOnlyWhenBuffersRunOut() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(IoUring.isAvailable(),
                () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        String name = net.link("r");
        ExecutorService inNs = net.threadIn(ns);
        try (Tun tun = NetnsFixture.await(inNs.submit(() -> Tun.open(name)));
                IoUring ring = IoUring.create(new IoUring.Config(64, 64, 2048, false, 0, true))) {
            tun.setUp(true);
            NetnsFixture.ip("-n", ns, "addr", "add", "192.0.2.1/24", "dev", name);
            InetSocketAddress peer = new InetSocketAddress("192.0.2.2", PEER_PORT);
            try (UdpSocket socket = NetnsFixture.await(inNs.submit(
                    () -> UdpSocket.open(new InetSocketAddress("192.0.2.1", 0), peer, 0)))) {
                assertEquals(0, ring.readMultishot(tun.fd(), 20));
                assertEquals(1, ring.submit());
                OffHeap out = OffHeap.allocate(64);
                int count = 100;
                for (int i = 0; i < count; i++) {
                    out.buffer().putInt(0, i);
                    assertEquals(64, socket.send(out.address(), 64));
                }
                long[] tags = new long[64];
                int[] results = new int[64];
                int[] flags = new int[64];
                int[] ids = new int[64];
                int next = 0;
                int rearms = 0;
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (next < count && System.nanoTime() < deadline) {
                    int n = ring.complete(tags, results, flags, tags.length);
                    int held = 0;
                    boolean rearm = false;
                    for (int i = 0; i < n; i++) {
                        assertEquals(20, tags[i]);
                        if (results[i] == -ENOBUFS) {
                            // 100 packets, 64 buffers: the request ends; the packets wait in the TUN queue.
                            assertEquals(0, flags[i] & IoUring.F_MORE);
                            rearm = true;
                            continue;
                        }
                        assertEquals(IPV4_HEADER + UDP_HEADER + 64, results[i]);
                        assertTrue((flags[i] & IoUring.F_MORE) != 0, "still armed");
                        ids[held] = IoUring.bufferId(flags[i]);
                        int at = ring.bufferOffset(ids[held++]) + IPV4_HEADER + UDP_HEADER;
                        assertEquals(next++, ring.buffers().buffer().getInt(at), "in order");
                    }
                    assertEquals(held, ring.recycle(ids, held));
                    if (rearm) {
                        rearms++;
                        assertEquals(0, ring.readMultishot(tun.fd(), 20));
                        assertEquals(1, ring.submit());
                    }
                    if (n == 0) {
                        Native.check("await", ring.await(100));
                    }
                }
                assertEquals(count, next, "every packet, in order");
                assertTrue(rearms <= 2, "re-armed only when the buffers ran out: " + rearms);
            }
        }
    }

    private static int harvest(IoUring ring, long[] tags, int[] results, int[] flags) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            int n = ring.complete(tags, results, flags, 1);
            if (n != 0) {
                return n;
            }
            Native.check("await", ring.await(100));
        }
        return 0;
    }

    @Test
    void emptyQueueReadsZeroAndPollTimesOut() throws Exception {
        try (Tun tun = net.callIn(ns, () -> Tun.open(net.link("p")))) {
            tun.setUp(true);
            OffHeap packet = OffHeap.allocate(2048);
            // Drain whatever the kernel sent when the link came up (IPv6 router solicitations).
            while (tun.read(packet.address(), packet.capacity()) > 0) {
                assertTrue(packet.capacity() > 0);
            }
            assertEquals(0, tun.read(packet.address(), packet.capacity()));
            long start = System.nanoTime();
            int ready = tun.poll(Tun.POLLIN, 150);
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, ready);
            assertTrue(elapsedMillis >= 140, "poll returned after " + elapsedMillis + " ms");
            assertEquals(Tun.POLLOUT, tun.poll(Tun.POLLOUT, 1000));
        }
    }

    @Test
    void mtuAndUpDownAreVisibleToTheKernel() throws Exception {
        String name = net.link("m");
        try (Tun tun = net.callIn(ns, () -> Tun.open(name))) {
            // Called from this thread (root namespace): the control socket keeps them in ns.
            tun.setMtu(1280);
            assertEquals(1280, tun.mtu());
            assertFalse(tun.isUp());
            tun.setUp(true);
            assertTrue(tun.isUp());
            String link = NetnsFixture.ip("-n", ns, "-o", "link", "show", "dev", name);
            assertTrue(link.contains("mtu 1280") && link.contains(",UP"), link);
            tun.setUp(false);
            assertFalse(tun.isUp());
            link = NetnsFixture.ip("-n", ns, "-o", "link", "show", "dev", name);
            assertFalse(link.contains(",UP"), link);
            IllegalStateException tooSmall = assertThrows(IllegalStateException.class, () -> tun.setMtu(10));
            assertEquals("SIOCSIFMTU(" + name + "): Invalid argument (errno 22)", tooSmall.getMessage());
        }
    }

    @Test
    void attachingToABusyNameFailsWithTheErrnoText() throws Exception {
        String name = net.link("b");
        try (Tun first = net.callIn(ns, () -> Tun.open(name))) {
            assertEquals(name, first.name());
            IllegalStateException busy = assertThrows(IllegalStateException.class,
                    () -> net.callIn(ns, () -> Tun.open(name)));
            assertEquals("TUNSETIFF(" + name + "): Device or resource busy (errno 16)", busy.getMessage());
        }
        // Once the first owner is gone the name is free again.
        try (Tun again = net.callIn(ns, () -> Tun.open(name))) {
            assertNotEquals(-1, again.fd());
        }
    }

    @Test
    void aDroppedDeviceIsClosedByTheCleaner() throws Exception {
        String name = net.link("g");
        assertEquals(name, net.callIn(ns, () -> Tun.open(name).name())); // unreachable from here on
        boolean gone = false;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!gone && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            try {
                NetnsFixture.ip("-n", ns, "link", "show", "dev", name);
            } catch (IllegalStateException e) {
                gone = true;
            }
        }
        assertTrue(gone, "the Cleaner closed the last descriptor, so the kernel removed " + name);
    }

    @Test
    void closedDeviceRefusesColdCalls() throws Exception {
        Tun tun = net.callIn(ns, () -> Tun.open(net.link("c")));
        tun.close();
        tun.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> tun.setUp(true));
        OffHeap packet = OffHeap.allocate(64);
        assertEquals(-9, tun.read(packet.address(), 64), "EBADF, not a read on a reused descriptor");
        assertEquals(-9, tun.write(packet.address(), 64));
        assertEquals(-9, tun.poll(Tun.POLLIN, 1000));
    }

    /** Reads until an IPv4 UDP packet to PEER_PORT arrives, skipping IPv6 noise. */
    private static int readUdp(Tun tun, OffHeap packet) {
        ByteBuffer p = packet.buffer();
        for (int attempt = 0; attempt < 50; attempt++) {
            int ready = Native.check("poll", tun.poll(Tun.POLLIN, 2000));
            assertNotEquals(0, ready, "no packet on the TUN within 2 s");
            int length = Native.check("read", tun.read(packet.address(), packet.capacity()));
            if (length >= IPV4_HEADER + UDP_HEADER && (p.get(0) & 0xF0) == 0x40 && p.get(9) == 17
                    && (p.getShort(IPV4_HEADER + 2) & 0xFFFF) == PEER_PORT) {
                return length;
            }
        }
        throw new AssertionError("no UDP packet among 50 read from the TUN");
    }

    private static byte[] payload(int seed, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        byte[] tag = ("#" + seed).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, bytes, 0, Math.min(tag.length, length));
        return bytes;
    }

    private static InetAddress address(ByteBuffer p, int at) throws Exception {
        return InetAddress.getByAddress(bytes(p, at, 4));
    }

    private static byte[] bytes(ByteBuffer p, int at, int length) {
        byte[] out = new byte[length];
        p.get(at, out);
        return out;
    }

    private static void swap(ByteBuffer p, int a, int b, int length) {
        for (int i = 0; i < length; i++) {
            byte t = p.get(a + i);
            p.put(a + i, p.get(b + i));
            p.put(b + i, t);
        }
    }
}
