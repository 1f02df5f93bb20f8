package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.m13.cli.M13Cli;
import org.m13.sys.Native;
import org.m13.sys.NetnsTestKit;
import org.m13.sys.OffHeap;
import org.m13.sys.UdpSocket;
import picocli.CommandLine;

/**
 * The emulator between real namespaces (root only): node — veth — linkem — veth — hub,
 * 192.0.2.1 and 192.0.2.2 on one documentation /24. UDP datagrams carry a sequence
 * number and System.nanoTime() at sending; both ends live in this JVM, so one-way
 * delays are measured on one clock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkemRootTest {
    private static final long MS = 1_000_000L;
    private static final int PORT = 9000;
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f:]{17})");

    private NetnsTestKit net;
    private String node;
    private String mid;
    private String hub;
    private String nodeIf;
    private String hubIf;
    private String midA;
    private String midB;
    private Linkem linkem;

    @BeforeEach
    void topology() {
        NetnsTestKit.assumeRootAndNative();
        net = new NetnsTestKit();
        node = net.namespace("node");
        mid = net.namespace("lkem");
        hub = net.namespace("hub");
        nodeIf = net.link("n");
        midA = net.link("a");
        midB = net.link("b");
        hubIf = net.link("h");
        net.veth(nodeIf, node, midA, mid);
        net.veth(hubIf, hub, midB, mid);
        NetnsTestKit.ip("-n", node, "addr", "add", "192.0.2.1/24", "dev", nodeIf);
        NetnsTestKit.ip("-n", hub, "addr", "add", "192.0.2.2/24", "dev", hubIf);
    }

    @AfterEach
    void cleanUp() {
        try {
            if (linkem != null) {
                linkem.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    private void start(LinkParams aToB, LinkParams bToA, long seed) {
        linkem = Linkem.start(new Linkem.Config(mid, midA, midB, aToB, bToA, seed, Linkem.Config.DEFAULT_SLOTS,
                Linkem.Config.DEFAULT_MAX_FRAME, true));
    }

    private void stop() {
        linkem.close();
        linkem = null;
    }

    /** Permanent neighbour entries, so that no ARP frame enters the seeded sequence. */
    private void staticNeighbours() {
        NetnsTestKit.ip("-n", node, "neigh", "replace", "192.0.2.2", "lladdr", mac(hub, hubIf), "dev", nodeIf,
                "nud", "permanent");
        NetnsTestKit.ip("-n", hub, "neigh", "replace", "192.0.2.1", "lladdr", mac(node, nodeIf), "dev", hubIf,
                "nud", "permanent");
    }

    private static String mac(String ns, String dev) {
        Matcher m = MAC.matcher(NetnsTestKit.ip("-n", ns, "-o", "link", "show", "dev", dev));
        assertTrue(m.find(), "no MAC for " + dev);
        return m.group(1);
    }

    /** What a receiver saw: per sequence number, the one-way delay in ns (-1: never arrived). */
    private static final class Received {
        private final long[] delays;
        private final int count;

        Received(long[] delays, int count) {
            this.delays = delays;
            this.count = count;
        }

        long[] delays() {
            return delays;
        }

        int count() {
            return count;
        }

        BitSet arrived() {
            BitSet set = new BitSet(delays.length);
            for (int i = 0; i < delays.length; i++) {
                if (delays[i] >= 0) {
                    set.set(i);
                }
            }
            return set;
        }
    }

    /**
     * Sends {@code count} datagrams from ({@code fromNs}, {@code from}) to
     * ({@code toNs}, {@code to}) at {@code perSecond}, and collects them until
     * {@code quietMillis} pass without one after the last was sent.
     */
    private Received exchange(String fromNs, String from, String toNs, String to, int count, int perSecond,
            long quietMillis) throws Exception {
        ExecutorService receiverThread = net.threadIn(toNs);
        ExecutorService senderThread = net.threadIn(fromNs);
        try (UdpSocket receiver = NetnsTestKit.await(receiverThread.submit(
                () -> UdpSocket.open(new InetSocketAddress(to, PORT), null, 32 << 20)));
                UdpSocket sender = NetnsTestKit.await(senderThread.submit(() -> UdpSocket.open(
                        new InetSocketAddress(from, 0), new InetSocketAddress(to, PORT), 0)))) {
            AtomicBoolean sendingDone = new AtomicBoolean();
            Future<Received> received = receiverThread.submit(() -> {
                OffHeap buffer = OffHeap.allocate(2048);
                ByteBuffer b = buffer.buffer();
                long[] delays = new long[count];
                Arrays.fill(delays, -1);
                int got = 0;
                long lastActivity = System.nanoTime();
                while (true) {
                    int n = Native.check("recv", receiver.receive(buffer.address(), 2048));
                    long now = System.nanoTime();
                    if (n >= 12) {
                        int seq = b.getInt(0);
                        if (seq >= 0 && seq < count && delays[seq] < 0) {
                            delays[seq] = now - b.getLong(4);
                            got++;
                        }
                        lastActivity = now;
                        continue;
                    }
                    if (!sendingDone.get()) {
                        lastActivity = now;
                    } else if (now - lastActivity > quietMillis * MS || got == count) {
                        return new Received(delays, got);
                    }
                    LockSupport.parkNanos(20_000);
                }
            });
            Future<Integer> sent = senderThread.submit(() -> {
                OffHeap buffer = OffHeap.allocate(64);
                ByteBuffer b = buffer.buffer();
                long start = System.nanoTime();
                long interval = 1_000_000_000L / perSecond;
                int done = 0;
                for (int seq = 0; seq < count; seq++) {
                    long due = start + seq * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 50_000) {
                        LockSupport.parkNanos(wait);
                    }
                    b.putInt(0, seq);
                    b.putLong(4, System.nanoTime());
                    int n = sender.send(buffer.address(), 64);
                    while (n == 0) { // socket buffer full: wait, never drop on the sending side
                        LockSupport.parkNanos(50_000);
                        b.putLong(4, System.nanoTime());
                        n = sender.send(buffer.address(), 64);
                    }
                    Native.check("send", n);
                    done++;
                }
                return done;
            });
            try {
                assertEquals(count, sent.get(40, TimeUnit.SECONDS));
            } finally {
                sendingDone.set(true);
            }
            return received.get(20, TimeUnit.SECONDS);
        }
    }

    private static double medianMillis(long[] delays) {
        return quantileMillis(delays, 0.5);
    }

    private static double quantileMillis(long[] delays, double q) {
        long[] arrived = Arrays.stream(delays).filter(d -> d >= 0).sorted().toArray();
        return arrived[(int) (arrived.length * q)] / 1e6;
    }

    @Test
    void configuredDelayHoldsWithinOneMillisecondEachWay() throws Exception {
        staticNeighbours();
        start(LinkParams.CLEAN.withDelay(20 * MS, 0), LinkParams.CLEAN.withDelay(7 * MS, 0), 1);
        Received ab = exchange(node, "192.0.2.1", hub, "192.0.2.2", 1000, 2000, 200);
        Received ba = exchange(hub, "192.0.2.2", node, "192.0.2.1", 1000, 2000, 200);
        assertEquals(1000, ab.count());
        assertEquals(1000, ba.count());
        double abMedian = medianMillis(ab.delays());
        double baMedian = medianMillis(ba.delays());
        long abMin = Arrays.stream(ab.delays()).min().orElseThrow();
        long baMin = Arrays.stream(ba.delays()).min().orElseThrow();
        double abQuartile = quantileMillis(ab.delays(), 0.25);
        double baQuartile = quantileMillis(ba.delays(), 0.25);
        System.out.printf(Locale.ROOT, "linkem delay: a->b median %.3f ms (lower quartile %.3f, min %.3f, configured 20), "
                + "b->a median %.3f ms (lower quartile %.3f, min %.3f, configured 7)%n", abMedian, abQuartile,
                abMin / 1e6, baMedian, baQuartile, baMin / 1e6);
        // The delay as measured includes the receiving thread's wake-up, which a loaded 2-core
        // machine stretches by a millisecond now and then (the median was 21.1 ms in 2 of about
        // 8 runs): the lower quartile is the delay linkem applies, the minimum never below it.
        assertEquals(20.0, abQuartile, 1.0);
        assertEquals(7.0, baQuartile, 1.0);
        assertTrue(abMedian < 20.0 + 3.0 && baMedian < 7.0 + 3.0, "median far off: " + abMedian + " / " + baMedian);
        assertTrue(abMin >= 20 * MS, "a packet arrived before its delay: " + abMin);
        assertTrue(baMin >= 7 * MS, "a packet arrived before its delay: " + baMin);
        assertEquals(1000, linkem.counters(Relay.A).get(Counter.FORWARDED));
        assertEquals(1000, linkem.counters(Relay.B).get(Counter.FORWARDED));
    }

    /**
     * 2 % random loss over 100 000 real datagrams: the measured loss within 0.3
     * percentage points, every loss the emulator's own (its counters add up), and a
     * second run with the same seed loses exactly the same sequence numbers.
     */
    @Test
    void randomLossOver100000PacketsAndTheSameSeedRepeatsTheDropPattern() throws Exception {
        staticNeighbours();
        int count = 100_000;
        LinkParams lossy = LinkParams.CLEAN.withLoss(0.02);
        BitSet[] patterns = new BitSet[2];
        for (int run = 0; run < 2; run++) {
            Received r = null;
            Counters c = null;
            // The property is defined for a complete input: if the kernel dropped datagrams
            // before the emulator saw them (a starved relay thread on a loaded machine), the
            // attempt says nothing about the emulator and is repeated, at most three times.
            for (int attempt = 1; attempt <= 3; attempt++) {
                start(lossy, LinkParams.CLEAN, 20261201L);
                var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                        .getThreadMXBean();
                long allocatedBefore = threads.getThreadAllocatedBytes(linkem.thread().getId());
                r = exchange(node, "192.0.2.1", hub, "192.0.2.2", count, 50_000, 300);
                long allocated = threads.getThreadAllocatedBytes(linkem.thread().getId()) - allocatedBefore;
                System.out.printf(Locale.ROOT, "linkem relay thread allocated %d bytes while relaying %d frames%n",
                        allocated, count);
                assertTrue(allocated < 64 * 1024, "the relay path allocates: " + allocated + " bytes");
                c = linkem.counters(Relay.A);
                if (c.get(Counter.RECEIVED) == count || attempt == 3) {
                    break;
                }
                System.out.printf(Locale.ROOT, "linkem loss run %d attempt %d: only %d of %d reached the emulator;"
                        + " repeating%n", run, attempt, c.get(Counter.RECEIVED), count);
                stop();
            }
            assertEquals(count, c.get(Counter.RECEIVED), "every datagram reached the emulator (3 attempts)");
            assertEquals(r.count(), c.get(Counter.FORWARDED), "every forwarded datagram reached the hub");
            assertEquals(count - r.count(), c.get(Counter.LOST_RANDOM), "the only losses are the emulator's");
            double loss = (count - r.count()) / (double) count;
            System.out.printf(Locale.ROOT, "linkem loss run %d: %.4f %% of %d (configured 2 %%)%n", run,
                    loss * 100, count);
            assertEquals(0.02, loss, 0.003);
            patterns[run] = r.arrived();
            stop();
        }
        assertEquals(patterns[0], patterns[1], "same seed, same input: same drop pattern");
        // A different seed loses different datagrams (checked on a shorter run).
        start(lossy, LinkParams.CLEAN, 7L);
        Received other = exchange(node, "192.0.2.1", hub, "192.0.2.2", 10_000, 50_000, 300);
        BitSet first = patterns[0].get(0, 10_000);
        assertNotEquals(first, other.arrived());
    }

    @Test
    void arpAndPingPassThroughTheDelayedLink() throws Exception {
        start(LinkParams.CLEAN.withDelay(5 * MS, 0), LinkParams.CLEAN.withDelay(5 * MS, 0), 3);
        // No static neighbours: the first echo needs ARP request and reply across the emulator.
        long[] rtt = net.callIn(node, () -> {
            InetAddress hubAddress = InetAddress.getByName("192.0.2.2");
            long[] times = new long[3];
            for (int i = 0; i < times.length; i++) {
                long t = System.nanoTime();
                assertTrue(hubAddress.isReachable(3000), "192.0.2.2 does not answer");
                times[i] = System.nanoTime() - t;
            }
            return times;
        });
        System.out.printf(Locale.ROOT, "linkem ping RTT (5 ms each way): %.3f (with ARP), %.3f, %.3f ms%n",
                rtt[0] / 1e6, rtt[1] / 1e6, rtt[2] / 1e6);
        assertTrue(rtt[0] >= 20 * MS, "first ping includes an ARP round trip: " + rtt[0]);
        assertTrue(rtt[2] >= 10 * MS && rtt[2] < 30 * MS, "rtt " + rtt[2]);
        // Both ends learnt each other's MAC through the emulator.
        assertTrue(NetnsTestKit.ip("-n", node, "neigh", "show", "192.0.2.2").contains(mac(hub, hubIf)));
        assertTrue(NetnsTestKit.ip("-n", hub, "neigh", "show", "192.0.2.1").contains(mac(node, nodeIf)));
        assertTrue(linkem.counters(Relay.A).get(Counter.FORWARDED) >= 4);
        assertTrue(linkem.counters(Relay.B).get(Counter.FORWARDED) >= 4);
        assertEquals(0, linkem.counters(Relay.A).dropped() + linkem.counters(Relay.B).dropped());
    }

    /**
     * TSO/GSO stay on at the sender: its 64 KB TCP super-frames are cut into wire
     * frames by the relay, 4 MB arrive intact through a 2 ms, 200 Mbit/s link with 1 %
     * loss each way, and nothing is dropped as oversize.
     */
    @Test
    void tcpFromATsoSenderIsSegmentedIntoWireFrames() throws Exception {
        start(LinkParams.CLEAN.withDelay(2 * MS, 0).withLoss(0.01).withRate(200_000_000L, 1000),
                LinkParams.CLEAN.withDelay(2 * MS, 0).withLoss(0.01), 9);
        assertTrue(NetnsTestKit.ip("-n", node, "-d", "link", "show", "dev", nodeIf).contains("gso_max_size"));
        int total = 4 << 20;
        ExecutorService server = net.threadIn(hub);
        java.nio.channels.ServerSocketChannel listener = NetnsTestKit.await(server.submit(() -> {
            java.nio.channels.ServerSocketChannel l = java.nio.channels.ServerSocketChannel.open();
            l.bind(new InetSocketAddress("192.0.2.2", 9300));
            return l;
        }));
        try (listener) {
            Future<Long> digest = server.submit(() -> {
                try (java.nio.channels.SocketChannel c = listener.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(1 << 16);
                    long sum = 0;
                    long index = 0;
                    while (c.read(in.clear()) >= 0) {
                        in.flip();
                        while (in.hasRemaining()) {
                            sum = sum * 31 + (in.get() ^ (byte) index++);
                        }
                    }
                    return index == total ? sum : -index;
                }
            });
            long expected = net.callIn(node, () -> {
                try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(
                        new InetSocketAddress("192.0.2.2", 9300))) {
                    ByteBuffer out = ByteBuffer.allocate(total);
                    long sum = 0;
                    for (int i = 0; i < total; i++) {
                        byte v = (byte) (i * 131 + (i >>> 12));
                        out.put(i, v);
                        sum = sum * 31 + (v ^ (byte) i);
                    }
                    while (out.hasRemaining()) {
                        var unused = c.write(out);
                    }
                    return sum;
                }
            });
            assertEquals(expected, digest.get(30, TimeUnit.SECONDS).longValue());
        }
        Counters ab = linkem.counters(Relay.A);
        System.out.printf(Locale.ROOT, "linkem TCP with TSO on: a->b %s%n", ab.format());
        assertEquals(0, ab.get(Counter.OVERSIZE) + linkem.counters(Relay.B).get(Counter.OVERSIZE));
        assertTrue(ab.get(Counter.FORWARDED) >= total / 1500, "wire frames forwarded: " + ab.get(Counter.FORWARDED));
        assertTrue(ab.get(Counter.LOST_RANDOM) > 0, "loss applies per wire frame");
    }

    @Test
    void cliRunsInTheNamespaceForItsDurationAndPrintsCounters() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = M13Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("linkem", "--netns", mid, "--a", midA, "--b", midB, "--delay-ms", "10",
                "--b-to-a-loss", "1%", "--ge", "0.01,0.3", "--rate-mbit", "10", "--seed", "5", "--duration-s", "1.5");
        String printed = out.toString();
        assertEquals(0, exit, err.toString());
        assertTrue(printed.contains("seed 5 (repeat with --seed 5)"), printed);
        assertTrue(printed.contains("b->a delay 10.000 ms jitter 0.000 ms (order kept) loss 1.000% ge p=0.01"),
                printed);
        assertTrue(printed.contains("rate 10.000 Mbit/s queue 1000"), printed);
        assertTrue(printed.contains("1.0s       a->b rx"), printed);
        assertTrue(printed.contains("final a->b rx"), printed);
        assertTrue(printed.contains("final b->a rx"), printed);
    }

    @Test
    void cliRejectsAnUnknownInterfaceWithTheErrnoText() {
        StringWriter err = new StringWriter();
        CommandLine cli = M13Cli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("linkem", "--netns", mid, "--a", "m13tnosuch", "--b", midB, "--duration-s", "1");
        assertEquals(1, exit);
        assertEquals("m13 linkem: if_nametoindex(m13tnosuch): No such device (errno 19)", err.toString().strip());
    }
}
