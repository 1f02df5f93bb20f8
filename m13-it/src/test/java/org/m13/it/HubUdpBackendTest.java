package org.m13.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        Tunnels.assumeRootNativeAndIptables();
        kit = new NetnsTestKit();
        Tunnels.Network net = Tunnels.network(kit);
        hubNs = net.hubNs();
        nodeNs = net.nodeNs();
        inetNs = net.inetNs();
        hubLink = net.hubLink();
        uplink = net.uplink();
        tunnel = net.tunnel();
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
        return Tunnels.key(dir.resolve(file));
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
                assertTrue(ping(nodeNs, Tunnels.INTERNET), "the internet behind the hub's NAT answers");
                transferIntact(kit, nodeNs, inetNs, Tunnels.INTERNET, 4 << 20);
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

}
