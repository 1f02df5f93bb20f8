package org.m13.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m13.identity.Identity;
import org.m13.identity.KeyFiles;

class ConfigTest {
    @TempDir
    Path dir;

    private String nodeKey;
    private String hubKey;

    @BeforeEach
    void keys() throws Exception {
        try (Identity hub = KeyFiles.generateAndWrite(dir.resolve("hub.key"), new SecureRandom());
                Identity node = KeyFiles.generateAndWrite(dir.resolve("node.key"), new SecureRandom())) {
            hubKey = hub.publicIdentity().base64();
            nodeKey = node.publicIdentity().base64();
        }
    }

    private Path write(String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }

    private String hubYaml(String listen, String extra) {
        return "identity: hub.key\n"
                + "listen:\n" + listen
                + "nodes:\n"
                + "  - name: site-a\n"
                + "    public-key: " + nodeKey + "\n"
                + extra;
    }

    private ConfigException hubError(String yaml) throws IOException {
        Path file = write("hub.yaml", yaml);
        return assertThrows(ConfigException.class, () -> HubConfig.load(file).close());
    }

    @Test
    void aMinimalHubConfigGetsTheDocumentedDefaults() throws Exception {
        Path file = write("hub.yaml", hubYaml("  interface: eth0\n", ""));
        try (HubConfig.Hub hub = HubConfig.load(file)) {
            assertEquals("eth0", hub.uplink());
            assertEquals("eth0", hub.xdpInterface(), "XDP attaches to the uplink unless told otherwise");
            assertEquals(HubConfig.Backend.AUTO, hub.backend());
            assertEquals(443, hub.port());
            assertEquals(HubConfig.Mode.UDP, hub.mode());
            assertEquals("m13tun0", hub.tunnelName());
            assertEquals("10.13.0.1/24", hub.tunnelAddress().toString());
            assertEquals(1400, hub.tunnelMtu());
            assertEquals(0, hub.rateMbit(), "not paced unless the link's rate is given");
            assertEquals(FecSettings.REORDER_FROM_JITTER, hub.fec().reorderNanos(), "reorder bound from the jitter");
            assertNull(hub.topology());
            assertEquals(1, hub.nodes().size());
            assertEquals("site-a", hub.nodes().entries().get(0).name());
        }
    }

    @Test
    void anUnknownKeyIsNamedWithItsLineAndTheKnownKeys() throws IOException {
        ConfigException e = hubError(hubYaml("  interface: eth0\n  prot: 444\n", ""));
        assertEquals(4, e.line());
        assertEquals("listen", e.key());
        assertTrue(e.getMessage().endsWith("hub.yaml:4: listen: unknown key 'prot' (known here: backend, interface, mode, port, xdp-interface)"),
                e.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsNamed() throws IOException {
        ConfigException port = hubError(hubYaml("  interface: eth0\n  port: https\n", ""));
        assertEquals("listen.port", port.key());
        assertEquals(4, port.line());
        assertTrue(port.getMessage().contains("'https' is not a valid whole number"), port.getMessage());

        ConfigException mode = hubError(hubYaml("  interface: eth0\n  mode: tcp\n", ""));
        assertEquals("listen.mode", mode.key());
        assertTrue(mode.getMessage().contains("one of udp, l2"), mode.getMessage());
    }

    @Test
    void theBackendAndTheXdpInterfaceCanBeChosen() throws Exception {
        Path file = write("hub.yaml", hubYaml("  interface: eth0\n  xdp-interface: eth1\n  backend: xdp\n", ""));
        try (HubConfig.Hub hub = HubConfig.load(file)) {
            assertEquals("eth0", hub.uplink(), "NAT still goes out of listen.interface");
            assertEquals("eth1", hub.xdpInterface());
            assertEquals(HubConfig.Backend.XDP, hub.backend());
        }
        try (HubConfig.Hub hub = HubConfig.load(write("hub.yaml", hubYaml("  interface: eth0\n  backend: UDP\n", "")))) {
            assertEquals(HubConfig.Backend.UDP, hub.backend());
        }
        ConfigException backend = hubError(hubYaml("  interface: eth0\n  backend: dpdk\n", ""));
        assertEquals("listen.backend", backend.key());
        assertEquals(4, backend.line());
        assertTrue(backend.getMessage().endsWith("hub.yaml:4: listen.backend: 'dpdk' is not a valid one of auto, xdp, udp"),
                backend.getMessage());
        ConfigException name = hubError(hubYaml("  interface: eth0\n  xdp-interface: eth 1\n", ""));
        assertEquals(4, name.line());
        assertEquals("listen.xdp-interface: 'eth 1' is not an interface name (1-15 of A-Z a-z 0-9 _ . -)", tail(name));
    }

    @Test
    void valuesOutOfRangeAreRefused() throws IOException {
        assertEquals("listen.port: 70000 is out of range (1..65535)",
                tail(hubError(hubYaml("  interface: eth0\n  port: 70000\n", ""))));
        assertEquals("tunnel.mtu: 1500 is out of range (576..1410)",
                tail(hubError(hubYaml("  interface: eth0\n", "tunnel:\n  mtu: 1500\n"))));
        assertEquals("tunnel.address: prefix /32 is out of range (/8../30)",
                tail(hubError(hubYaml("  interface: eth0\n", "tunnel:\n  address: 10.13.0.1/32\n"))));
        assertEquals("listen.interface: 'this-name-is-far-too-long' is not an interface name (1-15 of A-Z a-z 0-9 _ . -)",
                tail(hubError(hubYaml("  interface: this-name-is-far-too-long\n", ""))));
        assertEquals("listen.interface: is required", tail(hubError(hubYaml("  port: 443\n", ""))));
        assertEquals("fec.reorder-ms: 5000 is out of range (0..1000)",
                tail(hubError(hubYaml("  interface: eth0\n", "fec:\n  reorder-ms: 5000\n"))));
    }

    @Test
    void nodesAreCheckedOneByOne() throws IOException {
        String twice = hubYaml("  interface: eth0\n", "  - name: site-a\n    public-key: " + hubKey + "\n");
        assertEquals("nodes[1].name: 'site-a' is listed twice", tail(hubError(twice)));
        String badKey = hubYaml("  interface: eth0\n", "  - name: site-b\n    public-key: AAAA\n");
        ConfigException e = hubError(badKey);
        assertEquals("nodes[1].public-key", e.key());
        assertTrue(e.getMessage().contains("`m13 keygen` or `m13 pubkey`"), e.getMessage());
        assertEquals("nodes: is required: list the nodes this hub accepts (name and public-key)",
                tail(hubError("identity: hub.key\nlisten:\n  interface: eth0\n")));
    }

    @Test
    void aMissingOrExposedKeyFileIsNamedUnderItsKey() throws IOException {
        Path file = write("hub.yaml", hubYaml("  interface: eth0\n", "").replace("hub.key", "absent.key"));
        ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.load(file).close());
        assertEquals("identity", e.key());
        assertTrue(e.getMessage().contains("private key file " + dir.resolve("absent.key") + ": does not exist"),
                e.getMessage());
    }

    @Test
    void fileLevelProblemsNameTheFile() throws IOException {
        Path missing = dir.resolve("nope.yaml");
        assertEquals(missing + ": does not exist",
                assertThrows(ConfigException.class, () -> HubConfig.load(missing).close()).getMessage());
        assertTrue(hubError("  \n").getMessage().endsWith("hub.yaml: is empty"));
        ConfigException syntax = hubError("identity: hub.key\nlisten:\n  interface: eth0: oops\n");
        assertTrue(syntax.getMessage().contains("not valid YAML"), syntax.getMessage());
        assertEquals(3, syntax.line());
    }

    @Test
    void aNodeConfigPinsTheHubKeyAndNeedsALiteralAddress() throws Exception {
        String yaml = "identity: node.key\nhub:\n  address: 203.0.113.1\n  public-key: " + hubKey + "\n";
        try (NodeConfig.Node node = NodeConfig.load(write("node.yaml", yaml))) {
            assertEquals("203.0.113.1", node.hubAddress().getHostAddress());
            assertEquals(443, node.hubPort());
            assertEquals(hubKey, node.hubKey().base64());
            assertTrue(node.defaultRoute());
            assertEquals(NodeConfig.Ipv6.BLOCK, node.ipv6());
        }
        Path dns = write("node.yaml", yaml.replace("203.0.113.1", "hub.example.com"));
        assertEquals("hub.address: 'hub.example.com' is not an IPv4 address (a.b.c.d)",
                tail(assertThrows(ConfigException.class, () -> NodeConfig.load(dns).close())));
        Path noHub = write("node.yaml", "identity: node.key\n");
        assertEquals("hub: is required (address and public-key of the hub)",
                tail(assertThrows(ConfigException.class, () -> NodeConfig.load(noHub).close())));
        Path ipv6 = write("node.yaml", yaml + "routes:\n  ipv6: tunnel\n");
        assertTrue(assertThrows(ConfigException.class, () -> NodeConfig.load(ipv6).close()).getMessage()
                .contains("routes.ipv6: 'tunnel' is not a valid one of block, allow"));
    }

    @Test
    void theNodeLinkBackendIsAutoUnlessNamedAndOnlyKnownNamesAreAccepted() throws Exception {
        String yaml = "identity: node.key\nhub:\n  address: 203.0.113.1\n  public-key: " + hubKey + "\n";
        try (NodeConfig.Node node = NodeConfig.load(write("node.yaml", yaml))) {
            assertEquals(NodeConfig.LinkBackend.AUTO, node.linkBackend());
        }
        for (NodeConfig.LinkBackend b : NodeConfig.LinkBackend.values()) {
            Path named = write("node.yaml", yaml + "link:\n  rate-mbit: 50\n  backend: " + b.yamlName() + "\n");
            try (NodeConfig.Node node = NodeConfig.load(named)) {
                assertEquals(b, node.linkBackend());
                assertEquals(50, node.rateMbit());
            }
        }
        Path xdp = write("node.yaml", yaml + "link:\n  backend: xdp\n");
        ConfigException e = assertThrows(ConfigException.class, () -> NodeConfig.load(xdp).close());
        assertEquals("link.backend", e.key());
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("node.yaml"), e.getMessage());
        assertEquals("link.backend: 'xdp' is not a valid one of auto, io_uring, udp", tail(e));
    }

    @Test
    void errorsFoundAfterBindingStillNameTheirLine() throws IOException {
        assertEquals(4, hubError(hubYaml("  interface: eth0\n  port: 70000\n", "")).line());
        String twice = hubYaml("  interface: eth0\n", "  - name: site-a\n    public-key: " + hubKey + "\n");
        assertEquals(7, hubError(twice).line()); // the second "- name: site-a"
        String badKey = hubYaml("  interface: eth0\n", "  - name: site-b\n    public-key: AAAA\n");
        assertEquals(8, hubError(badKey).line());
    }

    @Test
    void keyPathsAreFoundInBlockYaml() {
        YamlLines y = new YamlLines("""
                # comment
                identity: a
                listen:
                  interface: eth0
                  port: 1
                tunnel:
                  port: 2
                nodes:
                  - name: a
                    public-key: x
                  -   name: b
                      public-key: y
                """);
        assertEquals(2, y.lineOf("identity"));
        assertEquals(5, y.lineOf("listen.port"));
        assertEquals(7, y.lineOf("tunnel.port"));
        assertEquals(9, y.lineOf("nodes[0].name"));
        assertEquals(10, y.lineOf("nodes[0].public-key"));
        assertEquals(11, y.lineOf("nodes[1]"));
        assertEquals(12, y.lineOf("nodes[1].public-key"));
        assertEquals(-1, y.lineOf("nodes[2].name"));
        assertEquals(-1, y.lineOf("listen.mode"));
    }

    /** The shipped examples load once their placeholders are filled in. */
    @Test
    void theShippedExamplesLoad() throws Exception {
        Path config = Path.of(System.getProperty("user.dir")).resolveSibling("config");
        String hub = Files.readString(config.resolve("hub.yaml"))
                .replace("/etc/m13/hub.key", dir.resolve("hub.key").toString())
                .replaceAll("<paste[^>]*>", nodeKey);
        try (HubConfig.Hub h = HubConfig.load(write("hub.yaml", hub))) {
            assertEquals("eth0", h.uplink());
            assertEquals("eth0", h.xdpInterface());
            assertEquals(HubConfig.Backend.AUTO, h.backend());
        }
        String node = Files.readString(config.resolve("node.yaml"))
                .replace("/etc/m13/node.key", dir.resolve("node.key").toString())
                .replaceAll("<paste[^>]*>", hubKey);
        try (NodeConfig.Node n = NodeConfig.load(write("node.yaml", node))) {
            assertEquals(443, n.hubPort());
            assertEquals(NodeConfig.LinkBackend.AUTO, n.linkBackend());
        }
    }

    private static String tail(ConfigException e) {
        String m = e.getMessage();
        return m.substring(m.indexOf(": ") + 2);
    }
}
