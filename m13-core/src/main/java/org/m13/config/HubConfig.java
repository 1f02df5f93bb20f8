package org.m13.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.m13.identity.AllowList;
import org.m13.identity.Identity;

/**
 * hub.yaml as written by the operator (all keys but {@code identity} and {@code nodes}
 * optional); {@link #conclude} turns it into a checked {@link Hub}.
 *
 * <pre>
 * identity: hub.key                # private key from `m13 keygen` (relative to this file)
 * listen:
 *   interface: eth0                # uplink: NAT goes out here; XDP attaches here unless xdp-interface says otherwise
 *   xdp-interface: eth1            # optional: where the nodes' datagrams arrive (default: interface)
 *   backend: auto                  # auto | xdp | udp: how the hub receives and sends its datagrams
 *   port: 443
 *   mode: udp                      # udp | l2 (raw EtherType 0x88B5)
 * tunnel:
 *   name: m13tun0
 *   address: 10.13.0.1/24
 *   mtu: 1400
 * link:
 *   rate-mbit: 0                   # pacer rate toward each node (0: not paced)
 * fec:                             # optional: see {@link FecSettings}
 *   enabled: true
 * topology: topology/compact.yaml  # optional; the compact topology when absent
 * nodes:                           # the allow-list, at most 256
 *   - name: site-a
 *     public-key: ...              # `m13 pubkey` of the node's key
 * </pre>
 */
public record HubConfig(String identity, Listen listen, Tunnel tunnel, Link link, FecSettings.Yaml fec, String topology,
        List<Peer> nodes) {
    public static final int DEFAULT_PORT = 443;
    public static final String DEFAULT_TUNNEL = "m13tun0";
    public static final String DEFAULT_TUNNEL_ADDRESS = "10.13.0.1/24";
    /** Largest inner packet that fits one 1472-byte datagram: 1472 - ETH 14 - M13 48. */
    public static final int MAX_TUNNEL_MTU = 1410;
    public static final int DEFAULT_TUNNEL_MTU = 1400;
    /** 0: not paced (Ethernet, fibre); a satellite or radio link's rate otherwise. */
    public static final int DEFAULT_RATE_MBIT = 0;

    /** How frames travel between hub and nodes. */
    public enum Mode {
        UDP, L2
    }

    /**
     * How the hub receives and sends its datagrams: {@code AUTO} tries AF_XDP on the XDP
     * interface and falls back to a UDP socket (one log line saying why); {@code XDP}
     * refuses to start without AF_XDP; {@code UDP} never tries it.
     */
    public enum Backend {
        AUTO, XDP, UDP
    }

    public record Listen(@JsonProperty("interface") String iface, String xdpInterface, Backend backend, Integer port,
            Mode mode) {
    }

    public record Tunnel(String name, String address, Integer mtu) {
    }

    public record Link(Integer rateMbit) {
    }

    public record Peer(String name, String publicKey) {
    }

    /**
     * The concluded hub settings; owns the identity, so close it when done.
     * {@code uplink} is where NAT goes out; {@code xdpInterface} where the nodes'
     * datagrams arrive and the AF_XDP backend attaches (the uplink unless configured).
     */
    public record Hub(Path file, Identity identity, String uplink, String xdpInterface, Backend backend, int port,
            Mode mode, String tunnelName, Ipv4Cidr tunnelAddress, int tunnelMtu, int rateMbit, FecSettings fec,
            Path topology, AllowList nodes) implements AutoCloseable {
        @Override
        public void close() {
            identity.close();
        }
    }

    public static Hub load(Path file) throws ConfigException {
        return ConfigFiles.read(file, HubConfig.class).conclude(file);
    }

    /** Fills defaults and checks every value; reads the private key file last. */
    public Hub conclude(Path file) throws ConfigException {
        Checks c = new Checks(file);
        Listen l = listen == null ? new Listen(null, null, null, null, null) : listen;
        String uplink = c.interfaceName("listen.interface", l.iface(), null);
        String xdpInterface = c.interfaceName("listen.xdp-interface", l.xdpInterface(), uplink);
        Backend backend = l.backend() == null ? Backend.AUTO : l.backend();
        int port = c.range("listen.port", l.port(), DEFAULT_PORT, 1, 65535);
        Mode mode = l.mode() == null ? Mode.UDP : l.mode();
        Tunnel t = tunnel == null ? new Tunnel(null, null, null) : tunnel;
        String tunnelName = c.interfaceName("tunnel.name", t.name(), DEFAULT_TUNNEL);
        Ipv4Cidr address = c.cidr("tunnel.address", t.address(), DEFAULT_TUNNEL_ADDRESS);
        int mtu = c.range("tunnel.mtu", t.mtu(), DEFAULT_TUNNEL_MTU, 576, MAX_TUNNEL_MTU);
        int rate = c.range("link.rate-mbit", link == null ? null : link.rateMbit(), DEFAULT_RATE_MBIT, 0, 100_000);
        FecSettings fecSettings = FecSettings.conclude(c, fec, mtu);
        Path topo = topology == null ? null : c.existingFile("topology", topology, null);
        AllowList allowList = allowList(c);
        Identity id = c.identity("identity", identity);
        return new Hub(file, id, uplink, xdpInterface, backend, port, mode, tunnelName, address, mtu, rate, fecSettings,
                topo, allowList);
    }

    private AllowList allowList(Checks c) throws ConfigException {
        if (nodes == null || nodes.isEmpty()) {
            throw c.error("nodes", "is required: list the nodes this hub accepts (name and public-key)");
        }
        if (nodes.size() > AllowList.MAX_NODES) {
            throw c.error("nodes", nodes.size() + " nodes, the hub takes at most " + AllowList.MAX_NODES);
        }
        AllowList.Builder b = AllowList.builder();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Peer p = nodes.get(i);
            String key = "nodes[" + i + "]";
            if (p == null) {
                throw c.error(key, "is empty");
            }
            String name = c.peerName(key + ".name", p.name());
            if (!names.add(name)) {
                throw c.error(key + ".name", "'" + name + "' is listed twice");
            }
            try {
                var unused = b.add(name, c.publicKey(key + ".public-key", p.publicKey()));
            } catch (IllegalArgumentException e) {
                throw c.error(key + ".public-key", e.getMessage());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw c.error("nodes", e.getMessage());
        }
    }
}
