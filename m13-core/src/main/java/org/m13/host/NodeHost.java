package org.m13.host;

import java.lang.System.Logger.Level;
import org.m13.config.NodeConfig;

/**
 * A node's host set-up, in this order (undone in reverse):
 *
 * <ol>
 * <li>the TUN device (the daemon opened it): MTU, the assigned address, up;
 * <li>{@code <hub>/32} through the route the kernel takes to the hub now ({@code ip
 *     route get}: its gateway and device), so the tunnel's own datagrams never enter
 *     the tunnel;
 * <li>with default-route: {@code 0.0.0.0/1} and {@code 128.0.0.0/1} into the tunnel,
 *     more specific than any default route, which stays as it is;
 * <li>MSS clamping to the path MTU on TCP SYNs leaving through the tunnel (mangle
 *     POSTROUTING: the node's own connections and any it forwards);
 * <li>with ipv6 block: net.ipv6.conf.all and .default disable_ipv6 = 1 (IPv6 would go
 *     around the tunnel); where those sysctls are absent, ip6tables DROP on OUTPUT
 *     (except lo) and FORWARD; where ip6tables fails too the kernel has no IPv6;
 * <li>the fq qdisc on the tunnel, where the kernel has it.
 * </ol>
 */
public final class NodeHost {
    private static final System.Logger LOG = System.getLogger(NodeHost.class.getName());
    static final String DISABLE_ALL = "net.ipv6.conf.all.disable_ipv6";
    static final String DISABLE_DEFAULT = "net.ipv6.conf.default.disable_ipv6";

    private NodeHost() {
    }

    public static void apply(HostSetup setup, NodeHostPlan plan) throws HostSetupException {
        String tun = plan.tunnel();
        setup.setMtu(tun, plan.mtu());
        setup.addAddress(tun, plan.address());
        setup.linkUp(tun);

        String hub = plan.hub().getHostAddress();
        HostSetup.Route toHub = setup.routeTo(plan.hub());
        if (toHub.dev().equals(tun)) {
            throw new HostSetupException("the route to the hub " + hub + " already goes through " + tun
                    + ": the tunnel's own packets would loop; remove that route");
        }
        setup.addRoute(hub + "/32", toHub.via(), toHub.dev());
        if (plan.defaultRoute()) {
            setup.addRoute("0.0.0.0/1", null, tun);
            setup.addRoute("128.0.0.0/1", null, tun);
        }
        setup.iptables("mangle", "POSTROUTING", "-o", tun, "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j",
                "TCPMSS", "--clamp-mss-to-pmtu");
        if (plan.ipv6() == NodeConfig.Ipv6.BLOCK) {
            blockIpv6(setup);
        }
        setup.addQdiscFq(tun);
    }

    private static void blockIpv6(HostSetup setup) throws HostSetupException {
        if (setup.sysctl(DISABLE_ALL).isPresent()) {
            setup.setSysctl(DISABLE_ALL, "1");
            if (setup.sysctl(DISABLE_DEFAULT).isPresent()) {
                setup.setSysctl(DISABLE_DEFAULT, "1");
            }
            return;
        }
        try {
            setup.ip6tablesFirst("filter", "OUTPUT", "!", "-o", "lo", "-j", "DROP");
            setup.ip6tablesFirst("filter", "FORWARD", "-j", "DROP");
        } catch (HostSetupException e) {
            LOG.log(Level.INFO, "{0}: no IPv6 to block (no {1}, and ip6tables fails: {2})", setup.name(),
                    DISABLE_ALL, e.getMessage());
        }
    }
}
