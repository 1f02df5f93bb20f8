package org.m13.config;

import java.net.Inet4Address;

/** An IPv4 address with a prefix length, as {@code ip addr} takes it: {@code 10.13.0.1/24}. */
public record Ipv4Cidr(Inet4Address address, int prefix) {
    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }
}
