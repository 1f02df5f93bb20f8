package org.m13.sys;

/**
 * An AF_PACKET raw socket ({@code SOCK_RAW}, {@code ETH_P_ALL}) bound to one
 * interface: {@link #receive} returns every frame that arrives on it (ARP, IPv4,
 * anything), {@link #send} puts any frame on its wire. Opened non-blocking in the
 * calling thread's network namespace (see {@link Netns}).
 *
 * <p>Its own transmissions are not received ({@code PACKET_IGNORE_OUTGOING}), nor
 * anything else the host sends, except on a {@link #openCapture} socket. Every
 * frame, in and out, starts with a {@value #VNET_HEADER_BYTES}-byte
 * {@code struct virtio_net_hdr} ({@code PACKET_VNET_HDR}): it carries the checksum
 * offload state of a received frame, so a frame whose checksum the sender left to
 * the hardware (usual on veth) is completed by the kernel when it is sent again.
 * Treat it as opaque and pass it through; the Ethernet frame follows it.
 *
 * <p>Hot calls ({@link #receive}, {@link #send}, {@link #poll}) return a count,
 * {@code 0} for "would block" or "timed out", or {@code -errno} (see
 * {@link Native#check}); {@link #open} throws naming the operation and the errno
 * text. A Cleaner closes the descriptor if the owner forgets.
 */
public final class PacketSocket implements AutoCloseable {
    /** Bytes of {@code struct virtio_net_hdr} before each frame. */
    public static final int VNET_HEADER_BYTES = 10;
    /** Bit of {@link #poll}'s result: the first socket is readable (or has an error). */
    public static final int READY_FIRST = 1;
    /** Bit of {@link #poll}'s result: the second socket is readable (or has an error). */
    public static final int READY_SECOND = 2;

    private final String interfaceName;
    /** The descriptor, -1 once closed (calls then fail with -EBADF, never on a reused number). */
    private final NativeHandle handle;

    private PacketSocket(int fd, String interfaceName) {
        this.interfaceName = interfaceName;
        this.handle = new NativeHandle(this, fd, -1, PacketSocket::release);
    }

    /**
     * Opens a socket on {@code interfaceName} in the calling thread's namespace.
     * {@code bufferBytes} > 0 sets SO_RCVBUF and SO_SNDBUF (forced past the sysctl
     * limits as root); {@code qdiscBypass} sends straight to the driver
     * ({@code PACKET_QDISC_BYPASS}), skipping the interface's queueing discipline.
     */
    public static PacketSocket open(String interfaceName, int bufferBytes, boolean qdiscBypass) {
        return open(interfaceName, bufferBytes, qdiscBypass, false);
    }

    /**
     * A capture socket: like {@link #open}, but it also receives the frames the host sends
     * on the interface (its own included), as tcpdump does. For tests and diagnostics:
     * frames an XDP program redirects to AF_XDP never reach any AF_PACKET socket on the
     * receiving interface, so capture them where they leave instead.
     */
    public static PacketSocket openCapture(String interfaceName, int bufferBytes) {
        return open(interfaceName, bufferBytes, false, true);
    }

    private static PacketSocket open(String interfaceName, int bufferBytes, boolean qdiscBypass, boolean outgoing) {
        Native.ensureAvailable();
        if (interfaceName.isEmpty() || interfaceName.length() > Tun.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("not an interface name: '" + interfaceName + "'");
        }
        int fd;
        try {
            fd = open0(interfaceName, bufferBytes, qdiscBypass, outgoing);
        } catch (UnsatisfiedLinkError e) {
            // Additive natives keep the ABI number; a library built before this class lacks them.
            throw new IllegalStateException("the native library predates PacketSocket: rebuild it with ./m13 build", e);
        }
        return new PacketSocket(fd, interfaceName);
    }

    public String interfaceName() {
        return interfaceName;
    }

    /**
     * Receives one frame (virtio header included) into native memory: its full
     * length, which exceeds {@code length} when the frame was truncated; 0 if none
     * is queued; or -errno.
     */
    public int receive(long address, int length) {
        return recv0((int) handle.get(), address, length);
    }

    /** Sends one frame (virtio header included): its length, 0 if the queue is full, or -errno. */
    public int send(long address, int length) {
        return send0((int) handle.get(), address, length);
    }

    /**
     * Waits up to {@code timeoutNanos} (negative: forever) until {@code first} or
     * {@code second} is readable: {@link #READY_FIRST} | {@link #READY_SECOND}, 0 on
     * timeout, or -errno ({@code -EINTR} on a signal). Nanosecond timeout (ppoll), so
     * a relay can sleep exactly until its next departure.
     */
    public static int poll(PacketSocket first, PacketSocket second, long timeoutNanos) {
        return poll0((int) first.handle.get(), (int) second.handle.get(), timeoutNanos);
    }

    @Override
    public void close() {
        handle.close();
    }

    private static void release(long fd) {
        close0((int) fd);
    }

    private static native int open0(String interfaceName, int bufferBytes, boolean qdiscBypass, boolean outgoing);

    private static native int recv0(int fd, long address, int length);

    private static native int send0(int fd, long address, int length);

    private static native int poll0(int first, int second, long timeoutNanos);

    private static native void close0(int fd);
}
