package org.m13.host;

import java.net.Inet4Address;
import java.util.Objects;
import org.m13.config.Ipv4Cidr;
import org.m13.config.NodeConfig;

/**
 * What a node changes on its host: the TUN device {@code tunnel} gets the
 * {@code address} the hub assigned and {@code mtu}; the hub's underlay address keeps
 * its present route; with {@code defaultRoute} everything else goes into the tunnel;
 * {@code ipv6} says whether IPv6 is blocked (the tunnel carries IPv4 only).
 */
public record NodeHostPlan(String tunnel, Ipv4Cidr address, int mtu, Inet4Address hub, boolean defaultRoute,
        NodeConfig.Ipv6 ipv6) {
    public NodeHostPlan {
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(ipv6, "ipv6");
    }

    /** The plan for a concluded node.yaml and the tunnel address the hub assigned. */
    public static NodeHostPlan of(NodeConfig.Node node, Ipv4Cidr assigned) {
        return new NodeHostPlan(node.tunnelName(), assigned, node.tunnelMtu(), node.hubAddress(), node.defaultRoute(),
                node.ipv6());
    }
}
