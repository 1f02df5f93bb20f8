package org.m13.daemon;

import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.m13.sys.XdpProgram;
import org.m13.sys.XdpSocket;

/**
 * The hub's AF_XDP link on one interface: M13's steering program attached to it (through
 * a bpf_link, so it goes with the process however that ends) and one AF_XDP socket per
 * receive queue, each in the program's XSKMAP. Queue 0's socket also transmits. Opened
 * in the calling thread's network namespace; {@link #close} closes the sockets, then
 * detaches the program.
 */
public final class XdpLink implements AutoCloseable {
    /** Queue 0: receives and sends (8192 + 8192 frames of 2 KB, 32 MB). */
    static final XdpSocket.Config FIRST_QUEUE = XdpSocket.Config.defaults();
    /** Other queues only receive (8192 frames, 16 MB each). */
    static final XdpSocket.Config OTHER_QUEUES = new XdpSocket.Config(8192, 2048, 8192, 8192,
            XdpSocket.BindMode.AUTO, true);
    /** One descriptor of {@link XdpSocket#pollReadable} stays for the kernel's UDP socket. */
    static final int MAX_QUEUES = XdpSocket.MAX_POLL_DESCRIPTORS - 1;

    private final String interfaceName;
    private final XdpProgram program;
    private final List<XdpSocket> sockets;
    private final long mac;

    private XdpLink(String interfaceName, XdpProgram program, List<XdpSocket> sockets, long mac) {
        this.interfaceName = interfaceName;
        this.program = program;
        this.sockets = List.copyOf(sockets);
        this.mac = mac;
    }

    /**
     * Attaches the program for {@code udpPort} to {@code interfaceName} and opens a socket
     * on each of its receive queues.
     *
     * @throws IllegalStateException with the reason when any step fails (nothing is left attached or open)
     */
    public static XdpLink open(String interfaceName, int udpPort) {
        String cause = XdpProgram.unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException(cause);
        }
        XdpProgram program = XdpProgram.attach(interfaceName, udpPort, XdpProgram.Mode.AUTO);
        List<XdpSocket> sockets = new ArrayList<>();
        try {
            long mac = ethernetAddress(interfaceName);
            int queues = receiveQueues(interfaceName);
            if (queues > MAX_QUEUES) {
                throw new IllegalStateException(interfaceName + " has " + queues + " receive queues, at most "
                        + MAX_QUEUES + " are supported (ethtool -L " + interfaceName + " combined " + MAX_QUEUES + ")");
            }
            for (int q = 0; q < queues; q++) {
                sockets.add(XdpSocket.open(interfaceName, q, program, q == 0 ? FIRST_QUEUE : OTHER_QUEUES));
            }
            return new XdpLink(interfaceName, program, sockets, mac);
        } catch (RuntimeException e) {
            for (XdpSocket s : sockets) {
                s.close();
            }
            program.close();
            throw e;
        }
    }

    /** Receive queues of the interface (its /sys/class/net entry in this namespace); 1 when it cannot be read. */
    static int receiveQueues(String interfaceName) {
        Path queues = Path.of("/sys/class/net", interfaceName, "queues");
        try (Stream<Path> entries = Files.list(queues)) {
            return (int) Math.max(1, entries.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        } catch (IOException e) {
            return 1;
        }
    }

    private static long ethernetAddress(String interfaceName) {
        byte[] address;
        try {
            NetworkInterface nic = NetworkInterface.getByName(interfaceName);
            address = nic == null ? null : nic.getHardwareAddress();
        } catch (SocketException e) {
            throw new IllegalStateException("cannot read the MAC of " + interfaceName + ": " + e.getMessage(), e);
        }
        if (address == null || address.length != 6) {
            throw new IllegalStateException(interfaceName + " has no Ethernet address");
        }
        long mac = 0;
        for (byte b : address) {
            mac = mac << 8 | (b & 0xFF);
        }
        return mac;
    }

    public String interfaceName() {
        return interfaceName;
    }

    /** The interface's MAC, 48 bits: the source of every frame sent. */
    public long mac() {
        return mac;
    }

    public int queues() {
        return sockets.size();
    }

    public XdpProgram program() {
        return program;
    }

    /** Every queue's rings, for the RX poller. */
    public XdpRings[] receiveRings() {
        XdpRings[] rings = new XdpRings[sockets.size()];
        for (int q = 0; q < rings.length; q++) {
            rings[q] = XdpRings.of(sockets.get(q));
        }
        return rings;
    }

    /** Queue 0's rings, for link-tx. */
    public XdpRings transmitRings() {
        return XdpRings.of(sockets.get(0));
    }

    /** "native XDP, copy mode, 1 queue, UMEM on normal pages". */
    public String describe() {
        XdpSocket first = sockets.get(0);
        return program.mode().name().toLowerCase(java.util.Locale.ROOT) + " XDP, "
                + (first.zeroCopy() ? "zero-copy" : "copy") + " mode, " + sockets.size()
                + (sockets.size() == 1 ? " queue" : " queues") + ", UMEM on "
                + (first.hugepages() ? "2 MB hugepages" : "normal pages");
    }

    /** The kernel's counters summed over the queues: "rx_dropped 0, fill_ring_empty 0, ...". */
    public String statistics() {
        long dropped = 0;
        long fillEmpty = 0;
        long rxFull = 0;
        long invalid = 0;
        for (XdpSocket s : sockets) {
            XdpSocket.Statistics st = s.statistics();
            dropped += st.rxDropped();
            fillEmpty += st.fillRingEmpty();
            rxFull += st.rxRingFull();
            invalid += st.rxInvalidDescriptors() + st.txInvalidDescriptors();
        }
        return "rx_dropped " + dropped + ", rx_ring_full " + rxFull + ", fill_ring_empty " + fillEmpty
                + ", invalid_descriptors " + invalid;
    }

    /** Closes the sockets, then detaches the program. */
    @Override
    public void close() {
        for (XdpSocket s : sockets) {
            s.close();
        }
        program.close();
    }
}
