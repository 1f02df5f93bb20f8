package org.m13.sys;

/**
 * What the data plane needs of a TUN device: one IP packet per read or write, at native
 * addresses, and a poll. {@link Tun} is the real one; tests and benchmarks use
 * in-memory devices so the pipelines run without root. Same return conventions as
 * {@link Tun}: a count, 0 for "would block" / "timed out", or {@code -errno}.
 */
public interface TunDevice {
    int read(long address, int length);

    int write(long address, int length);

    int poll(int events, int timeoutMillis);
}
