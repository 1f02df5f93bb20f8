package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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
import org.m13.sys.NetnsTestKit;

/**
 * The hub's link backends other than the AF_XDP one {@link HubNodeTunnelTest} runs on,
 * in the same three namespaces (node, hub, internet behind the NAT), as root:
 * {@code listen.backend: xdp} where AF_XDP cannot attach refuses to start, naming the
 * reason and the key; {@code auto} there says why in one line and runs on the UDP
 * socket; {@code udp} carries a handshake, ping and 4 MiB of TCP intact, and SIGTERM
 * leaves nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubUdpBackendTest {
    private static final String HUB_MAIN = "org.m13.hub.HubMain";
    private static final String NODE_MAIN = "org.m13.node.NodeMain";
    private static final String INTERNET = "203.0.113.2";
    private static final String MISSING = "m13tnosuch0";

    @TempDir
    static Path dir;

    private static NetnsTestKit kit;
    private static String hubNs;
    private static String nodeNs;
    private static String inetNs;
    private static String hubLink;
    private static String uplink;
    private static String tunnel;
    private static String nodeKey;

    @BeforeAll
    static void network() throws Exception {
        NetnsTestKit.assumeRootAndNative();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")) || Files.isExecutable(Path.of("/sbin/iptables")),
                "needs iptables (the hub NATs the tunnel out of its uplink)");
        kit = new NetnsTestKit();
        hubNs = kit.namespace("hub");
        nodeNs = kit.namespace("node");
        inetNs = kit.namespace("inet");
        hubLink = kit.link("h");
        String nodeLink = kit.link("n");
        uplink = kit.link("u");
        kit.veth(nodeLink, nodeNs, hubLink, hubNs);
        kit.veth(uplink, hubNs, kit.link("i"), inetNs);
        NetnsTestKit.ip("-n", nodeNs, "addr", "add", "198.51.100.2/24", "dev", nodeLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "198.51.100.1/24", "dev", hubLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "203.0.113.1/24", "dev", uplink);
        NetnsTestKit.ip("-n", inetNs, "addr", "add", INTERNET + "/24", "dev", kit.link("i"));
        tunnel = kit.link("t");
        String hubKey = key("hub.key");
        nodeKey = key("node.key");
        Files.writeString(dir.resolve("node.yaml"), """
                identity: node.key
                hub:
                  address: 198.51.100.1
                  port: 443
                  public-key: %s
                tunnel:
                  name: %s
                """.formatted(hubKey, tunnel));
        Files.createDirectories(dir.resolve("state-hub"));
        Files.createDirectories(dir.resolve("state-node"));
    }

    private static String key(String file) throws Exception {
        try (Identity id = KeyFiles.generateAndWrite(dir.resolve(file), new SecureRandom())) {
            return id.publicIdentity().base64();
        }
    }

    @AfterAll
    static void teardown() {
        if (kit != null) {
            kit.close();
        }
    }

    private static Path hubYaml(String name, String backend, String xdpInterface) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, """
                identity: hub.key
                listen:
                  interface: %s
                  xdp-interface: %s
                  backend: %s
                  port: 443
                tunnel:
                  name: %s
                  address: 10.13.0.1/24
                nodes:
                  - name: site-a
                    public-key: %s
                """.formatted(uplink, xdpInterface, backend, tunnel, nodeKey));
        return file;
    }

    private static Daemon startHub(Path config, String logName) throws Exception {
        return Daemon.start("hub", hubNs, HUB_MAIN, dir.resolve(logName), "--config", config.toString(),
                "--state-dir", dir.resolve("state-hub").toString(), "--stats-seconds", "1", "--topology", topology());
    }

    private static String topology() {
        return Path.of(System.getProperty("m13.repo", ".."), "config", "topology", "compact.yaml").toString();
    }

    private static String run(String ns, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + argv);
        return p.exitValue() + "\n" + out;
    }

    private static boolean ping(String ns, String target) throws Exception {
        return run(ns, "ping", "-c", "3", "-i", "0.2", "-W", "2", target).startsWith("0\n");
    }

    /** 143 = 128 + SIGTERM: how the JVM reports an orderly exit after SIGTERM. */
    private static void assertStoppedCleanly(int exit) {
        assertTrue(exit == 0 || exit == 143, "exit code " + exit);
    }

    private static void assertNoXdpOn(String link) throws Exception {
        String shown = run(hubNs, "ip", "link", "show", "dev", link);
        assertFalse(shown.contains("xdp"), "no XDP program on " + link + ":\n" + shown);
    }

    @Test
    @Order(1)
    void forcedXdpWhereItCannotAttachRefusesToStartNamingTheReasonAndTheKey() throws Exception {
        Path config = hubYaml("hub-xdp.yaml", "xdp", MISSING);
        try (Daemon hub = startHub(config, "hub-xdp.log")) {
            assertEquals(2, hub.awaitExit(60_000), hub.log());
            String log = hub.log();
            assertTrue(log.contains("m13 hub: AF_XDP unavailable on " + MISSING + ": "), log);
            assertTrue(log.contains(config + ": listen.backend is xdp"), log);
        }
        assertFalse(Files.exists(dir.resolve("state-hub/hub.journal")), "nothing was set up");
    }

    @Test
    @Order(2)
    void autoWhereXdpCannotAttachSaysWhyOnceAndRunsOnTheUdpSocket() throws Exception {
        try (Daemon hub = startHub(hubYaml("hub-auto.yaml", "auto", MISSING), "hub-auto.log")) {
            hub.awaitLog("hub started", 1, 60_000);
            assertEquals(1, hub.count("AF_XDP unavailable on " + MISSING + ": "), hub.log());
            assertEquals(1, hub.count("; using a UDP socket"), hub.log());
            assertTrue(hub.log().contains("link backend: udp socket :443 (listen.backend auto)"), hub.log());
            assertStoppedCleanly(hub.stop());
        }
    }

    @Test
    @Order(3)
    void forcedUdpCarriesTheTunnelAndLeavesNothingBehind() throws Exception {
        try (Daemon hub = startHub(hubYaml("hub-udp.yaml", "udp", hubLink), "hub-udp.log")) {
            hub.awaitLog("hub started", 1, 60_000);
            assertTrue(hub.log().contains("link backend: udp socket :443 (listen.backend udp)"), hub.log());
            assertFalse(hub.log().contains("AF_XDP unavailable"), "udp never tries AF_XDP:\n" + hub.log());
            assertNoXdpOn(hubLink);
            try (Daemon node = Daemon.start("node", nodeNs, NODE_MAIN, dir.resolve("node.log"), "--config",
                    dir.resolve("node.yaml").toString(), "--state-dir", dir.resolve("state-node").toString(),
                    "--stats-seconds", "1", "--topology", topology())) {
                node.awaitLog("session established", 1, 60_000);
                node.awaitLog("tunnel up: 10.13.0.2/24", 1, 10_000);
                assertTrue(ping(nodeNs, INTERNET), "the internet behind the hub's NAT answers");
                transfer(4 << 20);
                assertStoppedCleanly(node.stop());
            }
            assertStoppedCleanly(hub.stop());
            assertTrue(hub.log().contains("hub stopped"), hub.log());
        }
        assertFalse(run(hubNs, "ip", "link").contains(tunnel), "TUN gone");
        String rules = run(hubNs, "iptables-save");
        assertFalse(rules.contains("10.13.0.0/24") || rules.contains("TCPMSS"), rules);
        assertFalse(Files.exists(dir.resolve("state-hub/hub.journal")));
        assertFalse(Files.exists(dir.resolve("state-node/node.journal")));
        assertNoXdpOn(hubLink);
    }

    /** {@code bytes} of seeded random data node -> internet over TCP: the same SHA-256 at both ends. */
    private static void transfer(int bytes) throws Exception {
        ExecutorService inet = kit.threadIn(inetNs);
        ExecutorService nodeSide = kit.threadIn(nodeNs);
        ServerSocket server = inet.submit(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName(INTERNET), 5001));
            return s;
        }).get(10, TimeUnit.SECONDS);
        try (server) {
            Future<String> received = inet.submit(() -> {
                server.setSoTimeout(30_000);
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    MessageDigest sha = MessageDigest.getInstance("SHA-256");
                    byte[] buf = new byte[65536];
                    long total = 0;
                    for (int n; (n = in.read(buf)) > 0;) {
                        sha.update(buf, 0, n);
                        total += n;
                    }
                    return total + " " + HexFormat.of().formatHex(sha.digest());
                }
            });
            String sent = nodeSide.submit(() -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Random random = new Random(13);
                byte[] buf = new byte[65536];
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(INTERNET), 5001), 10_000);
                    OutputStream out = s.getOutputStream();
                    for (int left = bytes; left > 0; left -= buf.length) {
                        random.nextBytes(buf);
                        out.write(buf);
                        sha.update(buf);
                    }
                }
                return bytes + " " + HexFormat.of().formatHex(sha.digest());
            }).get(120, TimeUnit.SECONDS);
            assertEquals(sent, received.get(60, TimeUnit.SECONDS), "every byte through the tunnel and the NAT");
        }
    }
}
