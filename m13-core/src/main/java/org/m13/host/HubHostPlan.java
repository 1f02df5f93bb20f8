package org.m13.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import org.m13.config.HubConfig;
import org.m13.config.Ipv4Cidr;

/**
 * What the hub changes on its host: the TUN device {@code tunnel} gets {@code address}
 * and {@code mtu}; the tunnel's subnet is NATed out of {@code uplink}; socket buffer
 * limits are raised to at least {@code socketBufferBytes}.
 */
public record HubHostPlan(String tunnel, Ipv4Cidr address, int mtu, String uplink, long socketBufferBytes) {
    /** net.core.rmem_max and wmem_max at least this (8 MiB): a 100 Mbit/s, 600 ms link holds 7.5 MB in flight. */
    public static final long DEFAULT_SOCKET_BUFFER_BYTES = 8L << 20;

    public HubHostPlan {
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(uplink, "uplink");
    }

    public static HubHostPlan of(HubConfig.Hub hub) {
        return new HubHostPlan(hub.tunnelName(), hub.tunnelAddress(), hub.tunnelMtu(), hub.uplink(),
                DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /** The tunnel's subnet, {@code 10.13.0.0/24} for {@code 10.13.0.1/24}. */
    public String subnet() {
        return network(address);
    }

    static String network(Ipv4Cidr cidr) {
        byte[] b = cidr.address().getAddress();
        int value = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        int mask = cidr.prefix() == 0 ? 0 : -1 << (32 - cidr.prefix());
        int net = value & mask;
        byte[] n = {(byte) (net >>> 24), (byte) (net >>> 16), (byte) (net >>> 8), (byte) net};
        try {
            return ((Inet4Address) InetAddress.getByAddress(n)).getHostAddress() + "/" + cidr.prefix();
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are an IPv4 address", e);
        }
    }
}
