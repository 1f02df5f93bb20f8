package org.m13.linkem;

import org.m13.sys.PacketSocket;

/** The relay's two sides as AF_PACKET sockets; closing closes both. */
public final class PacketPorts implements Relay.Ports, AutoCloseable {
    /** Socket buffer per direction: room for bursts while the relay thread is descheduled. */
    public static final int SOCKET_BUFFER_BYTES = 8 << 20;

    private final PacketSocket a;
    private final PacketSocket b;

    private PacketPorts(PacketSocket a, PacketSocket b) {
        this.a = a;
        this.b = b;
    }

    /** Opens both interfaces in the calling thread's network namespace. */
    public static PacketPorts open(String interfaceA, String interfaceB, boolean qdiscBypass) {
        if (interfaceA.equals(interfaceB)) {
            throw new IllegalArgumentException("--a and --b must be different interfaces");
        }
        PacketSocket a = PacketSocket.open(interfaceA, SOCKET_BUFFER_BYTES, qdiscBypass);
        try {
            return new PacketPorts(a, PacketSocket.open(interfaceB, SOCKET_BUFFER_BYTES, qdiscBypass));
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
    }

    @Override
    public int receive(int side, long address, int length) {
        return (side == Relay.A ? a : b).receive(address, length);
    }

    @Override
    public int send(int side, long address, int length) {
        return (side == Relay.A ? a : b).send(address, length);
    }

    @Override
    public int await(long timeoutNanos) {
        return PacketSocket.poll(a, b, timeoutNanos);
    }

    @Override
    public void close() {
        try {
            a.close();
        } finally {
            b.close();
        }
    }
}
