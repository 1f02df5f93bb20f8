package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.identity.Identity;
import org.m13.identity.KeyFiles;
import org.m13.sys.NetnsTestKit;

/**
 * The node with {@code link.backend: udp} (the plain socket and poller thread, what
 * {@code auto} falls back to without io_uring), end to end as processes in namespaces,
 * so both node backends stay tested: HubNodeTunnelTest runs the one {@code auto} picks.
 * Handshake, ping through the tunnel and the hub's NAT, 4 MiB over TCP with the same
 * SHA-256 at the far end, and a clean stop.
 */
class NodeUdpBackendTest {
    private static final String INTERNET = "203.0.113.2";

    @TempDir
    static Path dir;

    private static NetnsTestKit kit;
    private static String nodeNs;
    private static String inetNs;
    private static Daemon hub;
    private static Daemon node;

    @BeforeAll
    static void network() throws Exception {
        NetnsTestKit.assumeRootAndNative();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/iptables")) || Files.isExecutable(Path.of("/sbin/iptables")),
                "needs iptables (the hub NATs the tunnel out of its uplink)");
        kit = new NetnsTestKit();
        String hubNs = kit.namespace("hub");
        nodeNs = kit.namespace("node");
        inetNs = kit.namespace("inet");
        String hubLink = kit.link("h");
        String nodeLink = kit.link("n");
        String uplink = kit.link("u");
        kit.veth(nodeLink, nodeNs, hubLink, hubNs);
        kit.veth(uplink, hubNs, kit.link("i"), inetNs);
        NetnsTestKit.ip("-n", nodeNs, "addr", "add", "198.51.100.2/24", "dev", nodeLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "198.51.100.1/24", "dev", hubLink);
        NetnsTestKit.ip("-n", hubNs, "addr", "add", "203.0.113.1/24", "dev", uplink);
        NetnsTestKit.ip("-n", inetNs, "addr", "add", INTERNET + "/24", "dev", kit.link("i"));
        String tunnel = kit.link("t");
        String hubKey = key("hub.key");
        String nodeKey = key("node.key");
        Files.writeString(dir.resolve("hub.yaml"), """
                identity: hub.key
                listen:
                  interface: %s
                  port: 443
                tunnel:
                  name: %s
                  address: 10.13.0.1/24
                nodes:
                  - name: site-a
                    public-key: %s
                """.formatted(uplink, tunnel, nodeKey));
        Files.writeString(dir.resolve("node.yaml"), """
                identity: node.key
                hub:
                  address: 198.51.100.1
                  port: 443
                  public-key: %s
                tunnel:
                  name: %s
                link:
                  backend: udp
                """.formatted(hubKey, tunnel));
        Files.createDirectories(dir.resolve("state-hub"));
        Files.createDirectories(dir.resolve("state-node"));
        hub = Daemon.start("hub", hubNs, "org.m13.hub.HubMain", dir.resolve("hub.log"), "--config",
                dir.resolve("hub.yaml").toString(), "--state-dir", dir.resolve("state-hub").toString(),
                "--stats-seconds", "1", "--topology", topology(), "--telemetry", dir.resolve("hub.telemetry").toString());
        hub.awaitLog("hub started", 1, 60_000);
        node = Daemon.start("node", nodeNs, "org.m13.node.NodeMain", dir.resolve("node.log"), "--config",
                dir.resolve("node.yaml").toString(), "--state-dir", dir.resolve("state-node").toString(),
                "--stats-seconds", "1", "--topology", topology(), "--telemetry",
                dir.resolve("node.telemetry").toString());
    }

    private static String key(String file) throws Exception {
        try (Identity id = KeyFiles.generateAndWrite(dir.resolve(file), new SecureRandom())) {
            return id.publicIdentity().base64();
        }
    }

    private static String topology() {
        return Path.of(System.getProperty("m13.repo", ".."), "config", "topology", "compact.yaml").toString();
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

    private static boolean ping(String ns, String target) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W",
                "2", target));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        var unused = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + argv);
        return p.exitValue() == 0;
    }

    @Test
    void theUdpBackendCarriesTheHandshakePingAndTcpIntact() throws Exception {
        node.awaitLog("session established", 1, 60_000);
        node.awaitLog("tunnel up: 10.13.0.2/24", 1, 10_000);
        assertEquals(1, node.count("link backend: udp"), "the backend named in the wiring:\n" + node.log());
        assertEquals(0, node.count("io_uring"), "no io_uring attempted when udp is configured:\n" + node.log());
        assertTrue(ping(nodeNs, INTERNET), "the internet behind the hub's NAT answers");

        int bytes = 4 << 20;
        ExecutorService inet = kit.threadIn(inetNs);
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
            String sent = kit.threadIn(nodeNs).submit(() -> {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                Random random = new Random(7);
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
        int exit = node.stop();
        assertTrue(exit == 0 || exit == 143, "node exit " + exit);
        assertTrue(node.log().contains("node stopped"), node.log());
    }
}
