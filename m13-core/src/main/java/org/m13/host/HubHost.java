package org.m13.host;

import java.lang.System.Logger.Level;

/**
 * The hub's host set-up, in this order (undone in reverse):
 *
 * <ol>
 * <li>the TUN device (the daemon opened it): MTU, address 10.13.0.1/24, up;
 * <li>{@code iptables -t nat -A POSTROUTING -s 10.13.0.0/24 -o <uplink> -j MASQUERADE};
 * <li>FORWARD, at the head of the chain: tun to uplink accepted, uplink to tun accepted
 *     when RELATED,ESTABLISHED;
 * <li>MSS clamping to the path MTU on TCP SYNs forwarded into the tunnel (the servers'
 *     SYN-ACKs, so they never send a segment the tunnel cannot carry);
 * <li>net.core.rmem_max and wmem_max raised (a network namespace cannot change them: it
 *     shares the host's, and the hub says so and goes on);
 * <li>net.ipv4.ip_forward = 1, last, once the rules are in place.
 * </ol>
 */
public final class HubHost {
    private static final System.Logger LOG = System.getLogger(HubHost.class.getName());

    private HubHost() {
    }

    public static void apply(HostSetup setup, HubHostPlan plan) throws HostSetupException {
        String tun = plan.tunnel();
        String uplink = plan.uplink();
        setup.setMtu(tun, plan.mtu());
        setup.addAddress(tun, plan.address());
        setup.linkUp(tun);
        setup.iptables("nat", "POSTROUTING", "-s", plan.subnet(), "-o", uplink, "-j", "MASQUERADE");
        setup.iptablesFirst("filter", "FORWARD", "-i", tun, "-o", uplink, "-j", "ACCEPT");
        setup.iptablesFirst("filter", "FORWARD", "-i", uplink, "-o", tun, "-m", "conntrack", "--ctstate",
                "RELATED,ESTABLISHED", "-j", "ACCEPT");
        setup.iptables("mangle", "FORWARD", "-o", tun, "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS",
                "--clamp-mss-to-pmtu");
        for (String key : new String[] {"net.core.rmem_max", "net.core.wmem_max"}) {
            try {
                setup.raiseSysctl(key, plan.socketBufferBytes());
            } catch (HostSetupException e) {
                // in a network namespace other than the host's these are the host's, and read-only
                LOG.log(Level.WARNING, "{0}: cannot raise {1} to {2}, left as it is: {3}", setup.name(), key,
                        Long.toString(plan.socketBufferBytes()), e.getMessage());
            }
        }
        setup.setSysctl("net.ipv4.ip_forward", "1");
    }
}
