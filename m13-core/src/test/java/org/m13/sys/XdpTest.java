package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The XDP steering program and AF_XDP sockets on a veth pair between two network
 * namespaces: hub (192.0.2.1) and peer (192.0.2.2). Root only.
 */
@Timeout(60)
class XdpTest {
    private static final String HUB_IP = "192.0.2.1";
    private static final String PEER_IP = "192.0.2.2";
    private static final int PORT = XdpProgram.DEFAULT_UDP_PORT;
    private static final int KERNEL_PORT = 9443;
    private static final int PEER_PORT = 5000;
    private static final XdpSocket.Config CONFIG =
            new XdpSocket.Config(4096, 2048, 2048, 2048, XdpSocket.BindMode.AUTO, true);

    private NetnsFixture net;
    private String hub;
    private String peer;
    private String hubLink;
    private String peerLink;
    private ExecutorService inHub;
    private ExecutorService inPeer;

    @BeforeEach
    void pair() {
        NetnsFixture.assumeRootAndNative();
        assertNull(XdpProgram.unavailabilityCause(), "the build produces the BPF object");
        net = new NetnsFixture();
        hub = net.namespace("hub");
        peer = net.namespace("peer");
        hubLink = net.link("h");
        peerLink = net.link("p");
        net.veth(hubLink, hub, peerLink, peer);
        NetnsFixture.ip("-n", hub, "addr", "add", HUB_IP + "/24", "dev", hubLink);
        NetnsFixture.ip("-n", peer, "addr", "add", PEER_IP + "/24", "dev", peerLink);
        inHub = net.threadIn(hub);
        inPeer = net.threadIn(peer);
    }

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = XdpProgram.Mode.class, names = {"NATIVE", "GENERIC"})
    void udpToThePortReachesTheSocketWhilePingAndOtherTrafficReachTheKernel(XdpProgram.Mode mode)
            throws Exception {
        try (XdpProgram program = NetnsFixture.await(inHub.submit(() -> XdpProgram.attach(hubLink, PORT, mode)));
                XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, program, CONFIG)));
                DatagramChannel kernel = NetnsFixture.await(inHub.submit(() -> bound(HUB_IP, KERNEL_PORT)))) {
            assertEquals(mode, program.mode());
            assertEquals(program.programId(), NetnsFixture.await(inHub.submit(
                    () -> XdpProgram.attachedProgramId(hubLink))));
            assertTrue(ping(), "ping before");

            int count = 1000;
            Future<Integer> sent = inPeer.submit(() -> {
                try (DatagramChannel c = bound(PEER_IP, PEER_PORT)) {
                    for (int i = 0; i < count; i++) {
                        c.send(ByteBuffer.wrap(payload(i)), new InetSocketAddress(HUB_IP, PORT));
                    }
                    c.send(ByteBuffer.wrap(payload(-1)), new InetSocketAddress(HUB_IP, KERNEL_PORT));
                }
                return count;
            });

            List<Integer> sequence = receiveSequence(socket, count);
            assertEquals(count, NetnsFixture.await(sent));
            for (int i = 0; i < count; i++) {
                assertEquals(i, sequence.get(i), "datagram order");
            }

            ByteBuffer other = ByteBuffer.allocate(256);
            Future<?> fromKernel = inHub.submit(() -> kernel.receive(other));
            assertNotEquals(null, NetnsFixture.await(fromKernel));
            assertArrayEquals(payload(-1), bytes(other.flip(), 0, other.remaining()));
            assertTrue(ping(), "ping after");

            assertEquals(count, program.counter(XdpProgram.Counter.UDP_REDIRECTED));
            assertEquals(0, program.counter(XdpProgram.Counter.ETHERTYPE_REDIRECTED));
            assertTrue(program.counter(XdpProgram.Counter.PASSED) >= 3, "ARP, ICMP and UDP/9443 passed");
            assertEquals(0, socket.statistics().rxDropped());
        }
        assertEquals(0, NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink))),
                "closing the program detaches it");
    }

    @Test
    void aFrameSentThroughTxReachesAUdpSocketInThePeerNamespace() throws Exception {
        try (XdpProgram program = NetnsFixture.await(inHub.submit(
                        () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO)));
                XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, program, CONFIG)));
                DatagramChannel peerSocket = NetnsFixture.await(inPeer.submit(() -> bound(PEER_IP, PEER_PORT)))) {
            // The peer speaks first: its frame teaches the hub both MACs.
            Future<Integer> hello = inPeer.submit(
                    () -> peerSocket.send(ByteBuffer.wrap(payload(0)), new InetSocketAddress(HUB_IP, PORT)));
            assertEquals(payload(0).length, NetnsFixture.await(hello));
            long[] addresses = new long[XdpSocket.MAX_BATCH];
            int[] lengths = new int[XdpSocket.MAX_BATCH];
            int n = receiveSome(socket, addresses, lengths);
            ByteBuffer umem = socket.umem().buffer();
            int at = (int) addresses[0];
            byte[] peerMac = new byte[6];
            byte[] hubMac = new byte[6];
            UdpFrames.sourceMac(umem, at, peerMac);
            umem.get(at, hubMac);
            assertEquals(NetnsFixture.ip("-n", peer, "-o", "link", "show", "dev", peerLink).contains(
                    HexFormat.ofDelimiter(":").formatHex(peerMac)), true, "learned the peer's MAC");
            assertEquals(n, socket.fill(addresses, n));

            int burst = 64;
            long[] tx = new long[burst];
            int[] txLengths = new int[burst];
            for (int i = 0; i < burst; i++) {
                tx[i] = socket.frameAddress(CONFIG.rxFrames() + i);
                int frame = (int) tx[i];
                byte[] body = payload(1000 + i);
                umem.put(frame + UdpFrames.HEADERS, body);
                txLengths[i] = UdpFrames.write(umem, frame, peerMac, hubMac, ipv4(HUB_IP), ipv4(PEER_IP), PORT,
                        PEER_PORT, body.length);
            }
            assertEquals(burst, Native.check("transmit", socket.transmit(tx, txLengths, burst)));

            Set<Long> completed = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (completed.size() < burst && System.nanoTime() < deadline) {
                int c = Native.check("complete", socket.complete(addresses, addresses.length));
                for (int i = 0; i < c; i++) {
                    assertTrue(completed.add(addresses[i]), "completed once");
                }
                if (c == 0) {
                    Thread.onSpinWait();
                }
            }
            Set<Long> staged = new HashSet<>();
            for (long a : tx) {
                staged.add(a);
            }
            assertEquals(staged, completed, "every staged frame comes back through the completion ring");

            for (int i = 0; i < burst; i++) {
                ByteBuffer received = ByteBuffer.allocate(2048);
                Future<?> from = inPeer.submit(() -> peerSocket.receive(received));
                assertEquals(new InetSocketAddress(HUB_IP, PORT), NetnsFixture.await(from));
                assertArrayEquals(payload(1000 + i), bytes(received.flip(), 0, received.remaining()));
            }
            assertEquals(0, socket.statistics().txInvalidDescriptors());
        }
    }

    @Test
    void ethertype88b5FramesReachTheSocket() throws Exception {
        try (XdpProgram program = NetnsFixture.await(inHub.submit(
                        () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO)));
                XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, program, CONFIG)));
                XdpSocket sender = NetnsFixture.await(inPeer.submit(() -> XdpSocket.open(peerLink, 0, null,
                        new XdpSocket.Config(64, 2048, 0, 64, XdpSocket.BindMode.COPY, false))))) {
            byte[] hubMac = mac(hub, hubLink);
            byte[] peerMac = mac(peer, peerLink);
            int count = 32;
            long[] tx = new long[count];
            int[] lengths = new int[count];
            ByteBuffer out = sender.umem().buffer();
            for (int i = 0; i < count; i++) {
                tx[i] = sender.frameAddress(i);
                int at = (int) tx[i];
                out.put(at, hubMac).put(at + 6, peerMac).putShort(at + 12, (short) XdpProgram.ETHERTYPE_M13);
                out.put(at + 14, payload(i));
                lengths[i] = 14 + payload(i).length;
            }
            assertEquals(count, Native.check("transmit", sender.transmit(tx, lengths, count)));

            long[] addresses = new long[XdpSocket.MAX_BATCH];
            int[] rxLengths = new int[XdpSocket.MAX_BATCH];
            ByteBuffer umem = socket.umem().buffer();
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received < count && System.nanoTime() < deadline) {
                int n = Native.check("receive", socket.receive(addresses, rxLengths, addresses.length));
                for (int i = 0; i < n; i++) {
                    int at = (int) addresses[i];
                    assertEquals(XdpProgram.ETHERTYPE_M13, umem.getShort(at + 12) & 0xFFFF);
                    assertEquals(14 + payload(received).length, rxLengths[i]);
                    assertArrayEquals(payload(received), bytes(umem, at + 14, rxLengths[i] - 14));
                    received++;
                }
                assertEquals(n, socket.fill(addresses, n));
                if (n == 0) {
                    int ready = Native.check("poll", socket.poll(XdpSocket.POLLIN, 100));
                    assertTrue(ready >= 0);
                }
            }
            assertEquals(count, received);
            assertEquals(count, program.counter(XdpProgram.Counter.ETHERTYPE_REDIRECTED));
        }
    }

    @Test
    void programIsGoneAfterItsOwnerIsKilledAndANewOneAttaches() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = Path.of(XdpHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + ":" + Path.of(XdpProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xcheck:jni", "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                "-D" + Native.LIBRARY_PROPERTY + "=" + System.getProperty(Native.LIBRARY_PROPERTY),
                "-D" + XdpProgram.OBJECT_PROPERTY + "=" + XdpProgram.objectPath(),
                XdpHolder.class.getName(), hub, hubLink));
        Process holder = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.US_ASCII));
            // Skip anything the JVM prints first (warnings share the stream).
            Future<String> line = inPeer.submit(() -> {
                for (String l = lines.readLine(); l != null; l = lines.readLine()) {
                    if (l.startsWith("attached ") || l.startsWith("Exception")) {
                        return l;
                    }
                }
                return null;
            });
            String attached = NetnsFixture.await(line);
            assertTrue(attached != null && attached.startsWith("attached "), "holder said: " + attached);
            int holderId = Integer.parseInt(attached.substring("attached ".length()));
            assertEquals(holderId, NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink))));
            // While the holder lives, a second attach is refused: its program is not stale.
            IllegalStateException busy = assertThrows(IllegalStateException.class, () -> NetnsFixture.await(
                    inHub.submit(() -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO))));
            assertTrue(busy.getMessage().contains("(errno 16); attached: program " + holderId + " m13_steer"),
                    busy.getMessage());

            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, holder.exitValue());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int id = holderId;
            while (id != 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                id = NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink)));
            }
            assertEquals(0, id, "the kernel removed the dead owner's link");
            try (XdpProgram next = NetnsFixture.await(inHub.submit(
                    () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO)))) {
                assertNotEquals(holderId, next.programId());
                assertEquals(next.programId(), NetnsFixture.await(inHub.submit(
                        () -> XdpProgram.attachedProgramId(hubLink))));
            }
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aStaleClassicAttachmentOfTheSteeringProgramIsDetachedAtAttach() throws Exception {
        // What an older daemon that attached through netlink and then crashed leaves behind.
        NetnsFixture.ip("-n", hub, "link", "set", "dev", hubLink, "xdpgeneric", "obj",
                XdpProgram.objectPath().toString(), "sec", "xdp");
        int stale = NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink)));
        assertNotEquals(0, stale);
        try (XdpProgram program = NetnsFixture.await(inHub.submit(
                () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO)))) {
            assertNotEquals(stale, program.programId());
            assertEquals(program.programId(), NetnsFixture.await(inHub.submit(
                    () -> XdpProgram.attachedProgramId(hubLink))));
        }
        assertEquals(0, NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink))));
    }

    @Test
    void theUmemIsOnHugepagesExactlyWhenEnoughAreReservedAndTheQueueCanBeReopened() throws Exception {
        long free = meminfo("HugePages_Free:");
        long pageKiB = meminfo("Hugepagesize:");
        long needed = (long) CONFIG.frameCount() * CONFIG.frameSize() / (pageKiB * 1024);
        boolean expected = pageKiB == 2048 && free >= needed;
        try (XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, null, CONFIG)))) {
            assertEquals(expected, socket.hugepages(), free + " free hugepages of " + pageKiB + " KiB");
            assertTrue(socket.umem().capacity() >= CONFIG.frameCount() * CONFIG.frameSize());
        }
        // Reopening the same queue at once: the kernel frees it from a work item, open() waits for it.
        XdpSocket.Config normal = new XdpSocket.Config(64, 2048, 0, 64, XdpSocket.BindMode.COPY, false);
        XdpSocket closed;
        try (XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, null, normal)))) {
            assertEquals(false, socket.hugepages(), "hugepages not asked for");
            assertEquals(64 * 2048, socket.umem().capacity());
            closed = socket;
        }
        // Hot calls after close fail with EBADF instead of touching freed rings.
        assertEquals(-9, closed.receive(new long[1], new int[1], 1));
        assertEquals(-9, closed.transmit(new long[1], new int[1], 1));
        assertEquals(-9, closed.fill(new long[1], 1));
        assertEquals(-9, closed.complete(new long[1], 1));
        assertThrows(IllegalStateException.class, closed::statistics);
    }

    private static long meminfo(String key) throws Exception {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
            }
        }
        throw new AssertionError(key + " missing from /proc/meminfo");
    }

    @Test
    void ipFragmentsOfADatagramToThePortAreLeftToTheKernel() throws Exception {
        try (XdpProgram program = NetnsFixture.await(inHub.submit(
                        () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO)));
                XdpSocket socket = NetnsFixture.await(inHub.submit(() -> XdpSocket.open(hubLink, 0, program, CONFIG)));
                DatagramChannel kernel = NetnsFixture.await(inHub.submit(() -> bound(HUB_IP, PORT)))) {
            // 3000 bytes over a 1500-byte MTU: two fragments, only the first has a UDP header.
            byte[] big = new byte[3000];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 7);
            }
            Future<Integer> sent = inPeer.submit(() -> {
                try (DatagramChannel c = bound(PEER_IP, PEER_PORT)) {
                    return c.send(ByteBuffer.wrap(big), new InetSocketAddress(HUB_IP, PORT));
                }
            });
            assertEquals(big.length, NetnsFixture.await(sent));
            ByteBuffer received = ByteBuffer.allocate(4096);
            assertNotEquals(null, NetnsFixture.await(inHub.submit(() -> kernel.receive(received))));
            assertArrayEquals(big, bytes(received.flip(), 0, received.remaining()), "reassembled by the kernel");
            assertEquals(0, program.counter(XdpProgram.Counter.UDP_REDIRECTED));
            long[] addresses = new long[XdpSocket.MAX_BATCH];
            int[] lengths = new int[XdpSocket.MAX_BATCH];
            assertEquals(0, socket.receive(addresses, lengths, addresses.length), "nothing on the AF_XDP socket");
        }
    }

    @Test
    void aDroppedProgramIsDetachedByTheCleaner() throws Exception {
        // The program object becomes unreachable as soon as the task returns its id.
        int id = NetnsFixture.await(inHub.submit(
                () -> XdpProgram.attach(hubLink, PORT, XdpProgram.Mode.AUTO).programId()));
        assertNotEquals(0, id);
        int attached = id;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (attached != 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            attached = NetnsFixture.await(inHub.submit(() -> XdpProgram.attachedProgramId(hubLink)));
        }
        assertEquals(0, attached, "the Cleaner closed the link");
    }

    @Test
    void attachToAMissingInterfaceThrowsWithTheErrnoText() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NetnsFixture.await(
                inHub.submit(() -> XdpProgram.attach("m13tnone", PORT, XdpProgram.Mode.AUTO))));
        assertEquals("if_nametoindex(m13tnone): No such device (errno 19)", e.getMessage());
        IllegalStateException zeroCopy = assertThrows(IllegalStateException.class, () -> NetnsFixture.await(
                inHub.submit(() -> XdpSocket.open(hubLink, 0, null, new XdpSocket.Config(64, 2048, 0, 64,
                        XdpSocket.BindMode.ZERO_COPY, false)))));
        assertTrue(zeroCopy.getMessage().startsWith("xsk_socket__create(" + hubLink + ", queue 0, zero-copy): "),
                zeroCopy.getMessage());
    }

    /** Receives until {@code count} datagrams to PORT have arrived; returns their sequence numbers. */
    private static List<Integer> receiveSequence(XdpSocket socket, int count) {
        long[] addresses = new long[XdpSocket.MAX_BATCH];
        int[] lengths = new int[XdpSocket.MAX_BATCH];
        ByteBuffer umem = socket.umem().buffer();
        List<Integer> sequence = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sequence.size() < count && System.nanoTime() < deadline) {
            int n = Native.check("receive", socket.receive(addresses, lengths, addresses.length));
            for (int i = 0; i < n; i++) {
                int at = (int) addresses[i];
                assertTrue(UdpFrames.isUdpTo(umem, at, lengths[i], PORT), "only UDP/443 is steered");
                int ip = at + UdpFrames.ETHERNET_HEADER;
                assertEquals(0, UdpFrames.checksum(umem, ip, UdpFrames.IPV4_HEADER, 0), "IPv4 header checksum");
                String text = new String(bytes(umem, at + UdpFrames.HEADERS, lengths[i] - UdpFrames.HEADERS),
                        StandardCharsets.US_ASCII);
                sequence.add(Integer.parseInt(text.substring("m13 #".length(), text.indexOf('.'))));
            }
            assertEquals(n, socket.fill(addresses, n), "frames go back to the fill ring");
            if (n == 0) {
                Native.check("poll", socket.poll(XdpSocket.POLLIN, 100));
            }
        }
        return sequence;
    }

    private static int receiveSome(XdpSocket socket, long[] addresses, int[] lengths) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            int n = Native.check("receive", socket.receive(addresses, lengths, addresses.length));
            if (n > 0) {
                return n;
            }
            Native.check("poll", socket.poll(XdpSocket.POLLIN, 100));
        }
        throw new AssertionError("nothing received on the AF_XDP socket within 5 s");
    }

    /**
     * Pings the hub from the peer and checks that the hub's kernel answered an ICMP
     * echo request (its Icmp InEchos counter grew), so a TCP fallback of
     * isReachable cannot pass for a ping.
     */
    private boolean ping() throws Exception {
        long before = hubIcmpInEchos();
        // As root the JDK sends ICMP echo requests from a raw socket.
        boolean reachable = NetnsFixture.await(inPeer.submit(() -> InetAddress.getByName(HUB_IP).isReachable(2000)));
        return reachable && hubIcmpInEchos() > before;
    }

    /** Icmp InEchos of the hub namespace (/proc/thread-self/net: the reading thread's namespace). */
    private long hubIcmpInEchos() throws Exception {
        List<String> lines = NetnsFixture.await(inHub.submit(
                () -> java.nio.file.Files.readAllLines(Path.of("/proc/thread-self/net/snmp"))));
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Icmp:") && lines.get(i + 1).startsWith("Icmp:")) {
                List<String> names = List.of(lines.get(i).split(" ", -1));
                List<String> values = List.of(lines.get(i + 1).split(" ", -1));
                return Long.parseLong(values.get(names.indexOf("InEchos")));
            }
        }
        throw new AssertionError("no Icmp line in /proc/thread-self/net/snmp");
    }

    private static DatagramChannel bound(String ip, int port) throws Exception {
        DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
        c.bind(new InetSocketAddress(ip, port));
        return c;
    }

    private static byte[] mac(String ns, String link) {
        String line = NetnsFixture.ip("-n", ns, "-o", "link", "show", "dev", link);
        int at = line.indexOf("link/ether ") + "link/ether ".length();
        return HexFormat.ofDelimiter(":").parseHex(line.substring(at, at + 17));
    }

    private static int ipv4(String dotted) throws Exception {
        return ByteBuffer.wrap(InetAddress.getByName(dotted).getAddress()).getInt();
    }

    private static byte[] payload(int i) {
        return ("m13 #" + i + ".padding-to-make-it-longer").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(ByteBuffer b, int at, int length) {
        byte[] out = new byte[length];
        b.get(at, out);
        return out;
    }
}
