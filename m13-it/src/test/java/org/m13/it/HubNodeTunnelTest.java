package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m13.it.Tunnels.assertStoppedCleanly;
import static org.m13.it.Tunnels.ping;
import static org.m13.it.Tunnels.run;
import static org.m13.it.Tunnels.topology;
import static org.m13.it.Tunnels.transferIntact;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.m13.identity.Identity;
import org.m13.identity.KeyFiles;
import org.m13.sys.IoUring;
import org.m13.sys.NetnsTestKit;
import org.m13.sys.OffHeap;
import org.m13.sys.PacketSocket;
import org.m13.telemetry.DropReason;
import org.m13.telemetry.PeerCounter;
import org.m13.telemetry.RecordSnapshot;
import org.m13.telemetry.TelemetryReader;

/**
 * The VPN end to end, as root: a hub namespace, a node namespace joined to it by a veth
 * (198.51.100.0/24), and an "internet" namespace behind the hub's NAT (203.0.113.0/24).
 * The real daemons run as processes ({@code HubMain}, {@code NodeMain}); the tests check
 * what an operator would: the handshake completes, ping and a bulk TCP transfer reach
 * the internet through the tunnel intact, a stranger's key is refused, a replayed frame
 * is dropped and counted, a crash is recovered from, a restarted hub is re-joined, and
 * SIGTERM leaves nothing on either host.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubNodeTunnelTest {
    private static final String HUB_MAIN = "org.m13.hub.HubMain";
    private static final String NODE_MAIN = "org.m13.node.NodeMain";

    @TempDir
    static Path dir;

    private static NetnsTestKit kit;
    private static String hubNs;
    private static String nodeNs;
    private static String inetNs;
    private static String hubLink;
    private static String nodeLink;
    private static String tunnel;
    private static Daemon hub;
    private static Daemon node;
    private static String ipForwardBefore;

    @BeforeAll
    static void network() throws Exception {
        Tunnels.assumeRootNativeAndIptables();
        kit = new NetnsTestKit();
        Tunnels.Network net = Tunnels.network(kit);
        hubNs = net.hubNs();
        nodeNs = net.nodeNs();
        inetNs = net.inetNs();
        hubLink = net.hubLink();
        nodeLink = net.nodeLink();
        String uplink = net.uplink();
        tunnel = net.tunnel();
        ipForwardBefore = sysctl(hubNs, "net.ipv4.ip_forward");

        String hubKey = key("hub.key");
        String nodeKey = key("node.key");
        key("stranger.key");
        Files.writeString(dir.resolve("hub.yaml"), """
                identity: hub.key
                listen:
                  interface: %s
                  xdp-interface: %s
                  port: 443
                tunnel:
                  name: %s
                  address: 10.13.0.1/24
                nodes:
                  - name: site-a
                    public-key: %s
                """.formatted(uplink, hubLink, tunnel, nodeKey));
        for (String who : List.of("node", "stranger")) {
            Files.writeString(dir.resolve(who + ".yaml"), """
                    identity: %s.key
                    hub:
                      address: 198.51.100.1
                      port: 443
                      public-key: %s
                    tunnel:
                      name: %s
                    """.formatted(who, hubKey, who.equals("node") ? tunnel : kit.link("x")));
        }
        Files.createDirectories(dir.resolve("state-hub"));
        Files.createDirectories(dir.resolve("state-node"));
        Files.createDirectories(dir.resolve("state-stranger"));
    }

    private static String key(String file) throws Exception {
        return Tunnels.key(dir.resolve(file));
    }

    @AfterAll
    static void teardown() throws Exception {
        if (node != null) {
            node.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (kit != null) {
            kit.close();
        }
    }

    private static Daemon startHub(String logName) throws Exception {
        return Daemon.start("hub", hubNs, HUB_MAIN, dir.resolve(logName), "--config", dir.resolve("hub.yaml").toString(),
                "--state-dir", dir.resolve("state-hub").toString(), "--stats-seconds", "1", "--topology", topology(),
                "--telemetry", dir.resolve("hub.telemetry").toString());
    }

    private static Daemon startNode(String who, String logName) throws Exception {
        return Daemon.start(who, nodeNs, NODE_MAIN, dir.resolve(logName), "--config",
                dir.resolve(who + ".yaml").toString(), "--state-dir", dir.resolve("state-" + who).toString(),
                "--stats-seconds", "1", "--topology", topology(), "--telemetry",
                dir.resolve(who + ".telemetry").toString(), "--rekey-seconds", "4");
    }

    private static String sysctl(String ns, String key) throws Exception {
        String out = run(ns, "sysctl", "-n", key);
        return out.substring(out.indexOf('\n') + 1).strip();
    }

    @Test
    @Order(1)
    void handshakeCompletesAndPingReachesTheInternetBehindTheNat() throws Exception {
        hub = startHub("hub.log");
        hub.awaitLog("hub started", 1, 60_000);
        assertTrue(hub.log().contains("link backend: af_xdp on " + hubLink + " ("), "AF_XDP chosen on veth as root:\n"
                + hub.log());
        assertTrue(run(hubNs, "ip", "link", "show", "dev", hubLink).contains("prog/xdp"), "the program is attached");
        node = startNode("node", "node.log");
        long waited = node.awaitLog("session established", 1, 60_000);
        node.awaitLog("tunnel up: 10.13.0.2/24", 1, 10_000);
        hub.awaitLog("node site-a established from 198.51.100.2:", 1, 10_000);
        if (IoUring.isAvailable()) { // link.backend: auto (the default) picks io_uring wherever the kernel has it
            assertEquals(1, node.count("link backend: io_uring"), "the node's wiring names the backend:\n" + node.log());
            assertEquals(0, node.count("io_uring unavailable"), node.log());
        } else {
            assertEquals(1, node.count("io_uring unavailable: "), node.log());
            assertEquals(1, node.count("link backend: udp"), node.log());
        }
        assertTrue(ping(nodeNs, "10.13.0.1"), "the hub's tunnel address answers");
        assertTrue(ping(nodeNs, Tunnels.INTERNET), "the internet behind the hub's NAT answers");
        assertTrue(waited < 60_000);
        assertEquals("1", sysctl(hubNs, "net.ipv4.ip_forward"));
    }

    @Test
    @Order(2)
    void aBulkTcpTransferArrivesIntact() throws Exception {
        int bytes = 16 << 20;
        transferIntact(kit, nodeNs, inetNs, Tunnels.INTERNET, bytes);
        hub.awaitLog("stats:", hub.count("stats:") + 1, 10_000); // a line written after the transfer
        String stats = lastStats(hub);
        java.util.regex.Matcher in = java.util.regex.Pattern.compile("\\(af_xdp (\\d+), udp (\\d+)\\)").matcher(stats);
        assertTrue(in.find(), stats);
        assertTrue(Long.parseLong(in.group(1)) > 1000, "the transfer's ACKs came in through AF_XDP: " + stats);
        assertEquals("0", in.group(2), "nothing came through the kernel socket: " + stats);
        assertTrue(stats.contains("out via udp (no next hop) 0,"), "every reply found its next hop: " + stats);
    }

    private static String lastStats(Daemon d) {
        String log = d.log();
        int at = log.lastIndexOf("stats:");
        return at < 0 ? "" : log.substring(at, Math.max(at, log.indexOf('\n', at)));
    }

    @Test
    @Order(3)
    void rekeysEveryFewSecondsLoseNoPing() throws Exception {
        int before = node.count("rekeyed: session");
        String out = run(nodeNs, "ping", "-c", "50", "-i", "0.2", "-W", "2", Tunnels.INTERNET);
        node.awaitLog("rekeyed: session", before + 2, 20_000);
        assertTrue(out.contains(" 0% packet loss"), "no packet lost across the key switches:\n" + out);
        assertTrue(hub.count("rekeyed (key phase 1)") >= 1 && hub.count("rekeyed (key phase 0)") >= 1, hub.log());
    }

    @Test
    @Order(4)
    void aReplayedFrameIsDroppedAndCounted() throws Exception {
        ExecutorService captureSide = kit.threadIn(nodeNs);
        Future<byte[]> captured = captureSide.submit(() -> {
            // Where the node's frames leave: on the hub's side AF_XDP takes them before any capture could.
            try (PacketSocket capture = PacketSocket.openCapture(nodeLink, 1 << 20)) {
                OffHeap buf = OffHeap.allocate(4096);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    int n = capture.receive(buf.address(), 4096);
                    int udp = PacketSocket.VNET_HEADER_BYTES + 14 + 20;
                    int m13 = udp + 8;
                    if (n > m13 + 62 && (buf.buffer().getShort(udp + 2) & 0xFFFF) == 443
                            && buf.buffer().get(m13 + 14 + 2) == 1) { // a sealed frame to the hub
                        byte[] payload = new byte[n - m13];
                        buf.buffer().get(m13, payload);
                        return payload;
                    }
                    if (n == 0) {
                        Thread.sleep(1);
                    }
                }
                return null;
            }
        });
        Thread.sleep(200);
        assertTrue(ping(nodeNs, Tunnels.INTERNET)); // traffic to capture
        byte[] frame = captured.get(30, TimeUnit.SECONDS);
        assertTrue(frame != null, "captured a sealed frame node -> hub");
        ExecutorService nodeSide = kit.threadIn(nodeNs);
        nodeSide.submit(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.send(new DatagramPacket(frame, frame.length, InetAddress.getByName("198.51.100.1"), 443));
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        hub.awaitLog("replay_duplicate=1", 1, 10_000);
        assertEquals(1, replayDropsInTelemetry("rx/decrypt"), "the same count in the shared-memory file m13 monitor reads");
        assertEquals(1, replayDropsInTelemetry("site-a/rx"), "and in the node's own record");
        assertTrue(peerCounter("site-a/rx", PeerCounter.RX_PACKETS) > 1000, "frames from the node counted per peer");
        assertTrue(peerCounter("site-a/tx", PeerCounter.TX_PACKETS) > 1000, "frames to the node counted per peer (TCP ACKs, pings)");
        assertTrue(ping(nodeNs, Tunnels.INTERNET), "the genuine session is unharmed");
    }

    private static long peerCounter(String record, PeerCounter counter) throws Exception {
        try (TelemetryReader reader = TelemetryReader.open(dir.resolve("hub.telemetry"))) {
            return reader.snapshot().records().stream().filter(r -> r.name().equals(record))
                    .mapToLong(r -> r.get(counter)).sum();
        }
    }

    private static long replayDropsInTelemetry(String record) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long drops = -1;
        while (System.nanoTime() < deadline) {
            try (TelemetryReader reader = TelemetryReader.open(dir.resolve("hub.telemetry"))) {
                for (RecordSnapshot r : reader.snapshot().records()) {
                    if (r.name().equals(record)) {
                        drops = r.drops(DropReason.REPLAY_DUPLICATE);
                    }
                }
            }
            if (drops >= 1) {
                return drops;
            }
            Thread.sleep(100);
        }
        return drops;
    }

    @Test
    @Order(5)
    void registrationsWithoutTheFrameMacCostTheHubNothing() throws Exception {
        byte[] forged = new byte[62]; // ETH + M13 header, cleartext, no flags: a registration
        forged[6] = 0x02;
        forged[11] = 0x42;
        forged[12] = (byte) 0x88;
        forged[13] = (byte) 0xB5;
        forged[14] = (byte) 0xD1; // magic
        forged[15] = 0x01; // version
        kit.threadIn(nodeNs).submit(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; i < 3; i++) {
                    forged[10] = (byte) i; // three different MACs
                    s.send(new DatagramPacket(forged, forged.length, InetAddress.getByName("198.51.100.1"), 443));
                }
            }
            return null;
        }).get(10, TimeUnit.SECONDS);
        hub.awaitLog("bad frame mac1 3,", 1, 10_000);
        assertTrue(ping(nodeNs, Tunnels.INTERNET));
    }

    @Test
    @Order(6)
    void aNodeNotOnTheAllowListIsRefused() throws Exception {
        try (Daemon stranger = startNode("stranger", "stranger.log")) {
            stranger.awaitLog("handshake started", 1, 60_000);
            hub.awaitLog("refused: key identifier is not on the allow-list", 1, 20_000);
            Thread.sleep(2_000);
            assertEquals(0, stranger.count("session established"), stranger.log());
            assertTrue(stranger.isAlive(), "a refused node keeps retrying, as a service should");
            assertStoppedCleanly(stranger.stop());
        }
        assertTrue(ping(nodeNs, Tunnels.INTERNET), "the allowed node is unaffected");
    }

    @Test
    @Order(7)
    void afterKillNineARestartUndoesTheLeftoversAndComesBack() throws Exception {
        node.kill();
        assertTrue(Files.exists(dir.resolve("state-node/node.journal")), "a crash leaves the journal behind");
        node = startNode("node", "node-2.log");
        node.awaitLog("session established", 1, 60_000);
        assertTrue(node.count("left behind") > 0, "the stale set-up was undone first:\n" + node.log());
        assertTrue(ping(nodeNs, Tunnels.INTERNET));
        String routes = run(nodeNs, "ip", "route");
        assertEquals(routes.indexOf("0.0.0.0/1"), routes.lastIndexOf("0.0.0.0/1"), "one split-default route:\n" + routes);
        assertTrue(routes.contains("0.0.0.0/1"), routes);
    }

    @Test
    @Order(8)
    void aRestartedHubIsRejoinedWithinTenSeconds() throws Exception {
        int before = node.count("session established");
        assertStoppedCleanly(hub.stop());
        hub = startHub("hub-2.log");
        hub.awaitLog("hub started", 1, 60_000);
        long rejoin = node.awaitLog("session established", before + 1, 10_000);
        assertTrue(rejoin <= 10_000, "re-joined in " + rejoin + " ms");
        assertTrue(ping(nodeNs, Tunnels.INTERNET));
    }

    @Test
    @Order(9)
    void sigtermLeavesNothingBehind() throws Exception {
        assertStoppedCleanly(node.stop());
        assertStoppedCleanly(hub.stop());
        for (String ns : List.of(hubNs, nodeNs)) {
            assertFalse(run(ns, "ip", "link").contains(tunnel), "TUN gone in " + ns);
            String rules = run(ns, "iptables-save");
            assertFalse(rules.contains("10.13.0.0/24") || rules.contains("TCPMSS"), ns + ":\n" + rules);
        }
        assertFalse(run(nodeNs, "ip", "route").contains("0.0.0.0/1"));
        assertFalse(run(nodeNs, "ip", "route").contains("198.51.100.1 "), "the /32 to the hub removed");
        assertEquals(ipForwardBefore, sysctl(hubNs, "net.ipv4.ip_forward"));
        String link = run(hubNs, "ip", "link", "show", "dev", hubLink);
        assertFalse(link.contains("xdp"), "no XDP program left on " + hubLink + ":\n" + link);
        assertFalse(Files.exists(dir.resolve("state-hub/hub.journal")));
        assertFalse(Files.exists(dir.resolve("state-node/node.journal")));
        assertFalse(Files.exists(dir.resolve("hub.telemetry")) || Files.exists(dir.resolve("node.telemetry")),
                "telemetry files removed");
        assertTrue(hub.log().contains("hub stopped") && node.log().contains("node stopped"));
    }
}
