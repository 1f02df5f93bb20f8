package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m13.it.Tunnels.assertStoppedCleanly;
import static org.m13.it.Tunnels.ping;
import static org.m13.it.Tunnels.run;
import static org.m13.it.Tunnels.topology;
import static org.m13.it.Tunnels.transferIntact;

import java.nio.file.Files;
import java.nio.file.Path;
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
    @TempDir
    static Path dir;

    private static NetnsTestKit kit;
    private static String nodeNs;
    private static String inetNs;
    private static Daemon hub;
    private static Daemon node;

    @BeforeAll
    static void network() throws Exception {
        Tunnels.assumeRootNativeAndIptables();
        kit = new NetnsTestKit();
        Tunnels.Network net = Tunnels.network(kit);
        String hubNs = net.hubNs();
        nodeNs = net.nodeNs();
        inetNs = net.inetNs();
        String uplink = net.uplink();
        String tunnel = net.tunnel();
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

    @Test
    void theUdpBackendCarriesTheHandshakePingAndTcpIntact() throws Exception {
        node.awaitLog("session established", 1, 60_000);
        node.awaitLog("tunnel up: 10.13.0.2/24", 1, 10_000);
        assertEquals(1, node.count("link backend: udp"), "the backend named in the wiring:\n" + node.log());
        assertEquals(0, node.count("io_uring"), "no io_uring attempted when udp is configured:\n" + node.log());
        assertTrue(ping(nodeNs, Tunnels.INTERNET), "the internet behind the hub's NAT answers");

        int bytes = 4 << 20;
        transferIntact(kit, nodeNs, inetNs, Tunnels.INTERNET, bytes);
        assertStoppedCleanly(node.stop());
        assertTrue(node.log().contains("node stopped"), node.log());
    }
}
