package org.m13.sys;

/**
 * An AF_XDP socket bound to one queue of an interface, with its own UMEM, through
 * libxdp's xsk API. libxdp's default program is never loaded: the socket is put into
 * the XSKMAP of M13's {@link XdpProgram} (or into none, for a transmit-only socket).
 *
 * <p>The UMEM is {@link #umem()}: off-heap memory that Java stages read and write in
 * place. Frame {@code i} starts at UMEM offset {@code i * frameSize}. Frames
 * {@code 0 .. rxFrames-1} start in the fill ring; the rest belong to the owner, for
 * transmission. Descriptors travel in batches through caller-owned arrays
 * (addresses are UMEM offsets), one JNI call per batch:
 * <ul>
 *   <li>{@link #receive}: frames the kernel filled; give them back with {@link #fill}
 *       once processed (or transmit them and recycle them from {@link #complete});</li>
 *   <li>{@link #transmit}: stages frames on the TX ring and kicks the kernel;</li>
 *   <li>{@link #complete}: frames the kernel has finished sending, free again.</li>
 * </ul>
 * Hot calls return a count ({@code 0}: nothing to do) or {@code -errno}, never throw;
 * batches are capped at {@value #MAX_BATCH}. One thread uses the rings at a time.
 * The UMEM is on 2 MB hugepages when the system has some reserved
 * ({@code vm.nr_hugepages}) and normal pages otherwise; the choice is logged.
 */
public final class XdpSocket implements AutoCloseable {
    public static final int MAX_BATCH = 256;
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    /** How many descriptors {@link #pollReadable} takes at once. */
    public static final int MAX_POLL_DESCRIPTORS = 31;

    private static final System.Logger LOG = System.getLogger(XdpSocket.class.getName());

    /** How the socket binds: zero-copy needs driver support (not veth); copy works everywhere. */
    public enum BindMode {
        /** Zero-copy, else copy. */
        AUTO(0),
        COPY(1),
        ZERO_COPY(2);

        /** The id shared with xdp_socket.c. */
        private final int id;

        BindMode(int id) {
            this.id = id;
        }
    }

    /**
     * UMEM and ring geometry. {@code ringSize} (a power of two) is used for all four
     * rings and must hold {@code rxFrames}; a fill ring of 2048 drops packets at
     * ~280 kpps on veth, 8192 drops none.
     */
    public record Config(int frameCount, int frameSize, int rxFrames, int ringSize, BindMode bindMode,
            boolean hugepages) {
        public Config {
            if (frameSize != 2048 && frameSize != 4096) {
                throw new IllegalArgumentException("frame size must be 2048 or 4096: " + frameSize);
            }
            if (ringSize <= 0 || Integer.bitCount(ringSize) != 1) {
                throw new IllegalArgumentException("ring size must be a power of two: " + ringSize);
            }
            if (rxFrames < 0 || rxFrames > frameCount || rxFrames > ringSize) {
                throw new IllegalArgumentException("rx frames must fit the UMEM and the fill ring: " + rxFrames);
            }
        }

        /** 16 384 frames of 2 KB (32 MB), half of them for RX, rings of 8192. */
        public static Config defaults() {
            return new Config(16384, 2048, 8192, 8192, BindMode.AUTO, true);
        }
    }

    /** Kernel counters of the socket (XDP_STATISTICS). */
    public record Statistics(long rxDropped, long rxInvalidDescriptors, long txInvalidDescriptors,
            long rxRingFull, long fillRingEmpty, long txRingEmpty) {
    }

    private final String interfaceName;
    private final int queue;
    private final Config config;
    private final OffHeap umem;
    private final boolean hugepages;
    private final boolean zeroCopy;
    private final int fd;
    private final NativeHandle handle;

    private XdpSocket(String interfaceName, int queue, Config config, long handle) {
        this.interfaceName = interfaceName;
        this.queue = queue;
        this.config = config;
        this.umem = OffHeap.wrap(umem0(handle));
        int properties = properties0(handle);
        this.hugepages = (properties & 1) != 0;
        this.zeroCopy = (properties & 2) != 0;
        this.fd = fd0(handle);
        this.handle = new NativeHandle(this, handle, 0, XdpSocket::close0);
    }

    /**
     * Creates the UMEM and the socket, binds it to {@code queue} of {@code interfaceName}
     * (in the calling thread's namespace) and, when {@code steering} is not null,
     * puts it into the program's XSKMAP for that queue.
     */
    public static XdpSocket open(String interfaceName, int queue, XdpProgram steering, Config config) {
        Native.ensureAvailable();
        int mapFd = steering == null ? -1 : steering.xskMapFd();
        long handle = open0(interfaceName, queue, config.frameCount(), config.frameSize(), config.rxFrames(),
                config.ringSize(), config.bindMode().id, config.hugepages(), mapFd);
        XdpSocket socket;
        try {
            socket = new XdpSocket(interfaceName, queue, config, handle);
        } catch (RuntimeException e) {
            close0(handle);
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "AF_XDP socket on {0} queue {1}: {2} mode, UMEM of {3} bytes on {4}",
                interfaceName, Integer.toString(queue), socket.zeroCopy ? "zero-copy" : "copy", Integer.toString(socket.umem.capacity()),
                socket.hugepages ? "2 MB hugepages"
                        : config.hugepages() ? "normal pages (no free 2 MB hugepages: see vm.nr_hugepages)"
                        : "normal pages (hugepages not requested)");
        return socket;
    }

    /** The UMEM: read received frames and write frames to send in place. */
    public OffHeap umem() {
        return umem;
    }

    /** The UMEM offset of frame {@code index}. */
    public long frameAddress(int index) {
        return (long) index * config.frameSize();
    }

    public Config config() {
        return config;
    }

    public boolean hugepages() {
        return hugepages;
    }

    public boolean zeroCopy() {
        return zeroCopy;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int queue() {
        return queue;
    }

    /** The socket's descriptor, for poll or io_uring; owned by this object. */
    public int fd() {
        return fd;
    }

    /** Takes up to {@code max} received frames: their UMEM offsets and lengths. */
    public int receive(long[] addresses, int[] lengths, int max) {
        return receive0(handle.get(), addresses, lengths, Math.min(max, Math.min(addresses.length, lengths.length)));
    }

    /** Gives up to {@code count} frames to the kernel for reception; returns how many it took. */
    public int fill(long[] addresses, int count) {
        return fill0(handle.get(), addresses, Math.min(count, addresses.length));
    }

    /**
     * Stages up to {@code count} frames for transmission and kicks the kernel; returns how
     * many were staged (they come back through {@link #complete}), even if the kick failed,
     * or -errno when none was staged and the kick failed.
     */
    public int transmit(long[] addresses, int[] lengths, int count) {
        return transmit0(handle.get(), addresses, lengths, Math.min(count, Math.min(addresses.length, lengths.length)));
    }

    /** Takes up to {@code max} frames the kernel has finished sending. */
    public int complete(long[] addresses, int max) {
        return complete0(handle.get(), addresses, Math.min(max, addresses.length));
    }

    /** Waits for {@link #POLLIN} or {@link #POLLOUT}: ready events, 0 on timeout, or -errno. */
    public int poll(int events, int timeoutMillis) {
        return poll0(handle.get(), events, timeoutMillis);
    }

    /**
     * Waits up to {@code timeoutMillis} until any of the first {@code count} descriptors
     * (at most {@value #MAX_POLL_DESCRIPTORS}: AF_XDP sockets, UDP sockets) is readable.
     *
     * @return bit {@code i} set when {@code fds[i]} is readable or in error; 0 on timeout
     *     or a signal; -errno. Negative descriptors are ignored.
     */
    public static int pollReadable(int[] fds, int count, int timeoutMillis) {
        return pollReadable0(fds, count, timeoutMillis);
    }

    public Statistics statistics() {
        long[] v = new long[6];
        statistics0(live(), v);
        return new Statistics(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    @Override
    public void close() {
        handle.close();
    }

    private long live() {
        long h = handle.get();
        if (h == 0) {
            throw new IllegalStateException("AF_XDP socket on " + interfaceName + " is closed");
        }
        return h;
    }

    private static native long open0(String interfaceName, int queue, int frameCount, int frameSize,
            int rxFrames, int ringSize, int bindMode, boolean hugepages, int xskMapFd);

    private static native java.nio.ByteBuffer umem0(long handle);

    private static native int properties0(long handle);

    private static native int fd0(long handle);

    private static native int receive0(long handle, long[] addresses, int[] lengths, int max);

    private static native int fill0(long handle, long[] addresses, int count);

    private static native int transmit0(long handle, long[] addresses, int[] lengths, int count);

    private static native int complete0(long handle, long[] addresses, int max);

    private static native int poll0(long handle, int events, int timeoutMillis);

    private static native int pollReadable0(int[] fds, int count, int timeoutMillis);

    private static native void statistics0(long handle, long[] out);

    private static native void close0(long handle);
}
