package org.m13.config;

import java.net.Inet4Address;
import java.nio.file.Path;
import org.m13.identity.Identity;
import org.m13.identity.PublicIdentity;

/**
 * node.yaml as written by the operator; {@link #conclude} turns it into a checked
 * {@link Node}.
 *
 * <pre>
 * identity: node.key               # private key from `m13 keygen` (relative to this file)
 * hub:
 *   address: 203.0.113.1           # IPv4 literal: no DNS needed to come up
 *   port: 443
 *   public-key: ...                # the hub's key, pinned (`m13 pubkey` on the hub)
 * tunnel:
 *   name: m13tun0
 *   mtu: 1400
 * routes:
 *   default-route: true            # 0.0.0.0/1 + 128.0.0.0/1 through the tunnel
 *   ipv6: block                    # block (no IPv6 leaks around the tunnel) | allow
 * link:
 *   rate-mbit: 0                   # pacer rate toward the hub (0: not paced)
 *   backend: auto                  # auto (io_uring if it works here, else udp) | io_uring | udp
 * fec:                             # optional: see {@link FecSettings}
 *   enabled: true
 * topology: topology/compact.yaml  # optional
 * </pre>
 */
public record NodeConfig(String identity, HubPeer hub, Tunnel tunnel, Routes routes, Link link,
        FecSettings.Yaml fec, String topology) {
    /** What to do with IPv6, which the tunnel does not carry. */
    public enum Ipv6 {
        BLOCK, ALLOW
    }

    /**
     * How the node's link to the hub does its I/O: an io_uring reactor (multishot receive
     * into provided buffers, batched sends) or a plain UDP socket with a poller thread.
     * {@code auto} uses io_uring when the kernel allows it, else the socket.
     */
    public enum LinkBackend {
        AUTO, IO_URING, UDP;

        /** The name in node.yaml. */
        public String yamlName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Link(Integer rateMbit, LinkBackend backend) {
    }

    public record HubPeer(String address, Integer port, String publicKey) {
    }

    public record Tunnel(String name, Integer mtu) {
    }

    public record Routes(Boolean defaultRoute, Ipv6 ipv6) {
    }

    /** The concluded node settings; owns the identity, so close it when done. */
    public record Node(Path file, Identity identity, Inet4Address hubAddress, int hubPort, PublicIdentity hubKey,
            String tunnelName, int tunnelMtu, boolean defaultRoute, Ipv6 ipv6, int rateMbit, LinkBackend linkBackend,
            FecSettings fec, Path topology)
            implements AutoCloseable {
        @Override
        public void close() {
            identity.close();
        }
    }

    public static Node load(Path file) throws ConfigException {
        return ConfigFiles.read(file, NodeConfig.class).conclude(file);
    }

    public Node conclude(Path file) throws ConfigException {
        Checks c = new Checks(file);
        if (hub == null) {
            throw c.error("hub", "is required (address and public-key of the hub)");
        }
        Inet4Address address = c.ipv4("hub.address", hub.address());
        int port = c.range("hub.port", hub.port(), HubConfig.DEFAULT_PORT, 1, 65535);
        PublicIdentity hubKey = c.publicKey("hub.public-key", hub.publicKey());
        Tunnel t = tunnel == null ? new Tunnel(null, null) : tunnel;
        String tunnelName = c.interfaceName("tunnel.name", t.name(), HubConfig.DEFAULT_TUNNEL);
        int mtu = c.range("tunnel.mtu", t.mtu(), HubConfig.DEFAULT_TUNNEL_MTU, 576, HubConfig.MAX_TUNNEL_MTU);
        boolean defaultRoute = routes == null || routes.defaultRoute() == null || routes.defaultRoute();
        Ipv6 ipv6 = routes == null || routes.ipv6() == null ? Ipv6.BLOCK : routes.ipv6();
        int rate = c.range("link.rate-mbit", link == null ? null : link.rateMbit(), HubConfig.DEFAULT_RATE_MBIT, 0,
                100_000);
        LinkBackend backend = link == null || link.backend() == null ? LinkBackend.AUTO : link.backend();
        FecSettings fecSettings = FecSettings.conclude(c, fec, mtu);
        Path topo = topology == null ? null : c.existingFile("topology", topology, null);
        Identity id = c.identity("identity", identity);
        return new Node(file, id, address, port, hubKey, tunnelName, mtu, defaultRoute, ipv6, rate, backend,
                fecSettings, topo);
    }
}
