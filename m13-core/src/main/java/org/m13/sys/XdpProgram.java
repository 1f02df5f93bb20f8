package org.m13.sys;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * M13's XDP steering program ({@code native/bpf/m13_steer.bpf.c}) attached to one
 * interface: frames with EtherType {@value #ETHERTYPE_M13} and unfragmented IPv4 UDP
 * datagrams to the configured port go to the AF_XDP socket bound on the receiving
 * queue ({@link XdpSocket}); everything else, and everything on a queue without a
 * socket, goes on to the kernel (ARP, ICMP, SSH keep working).
 *
 * <p>The port is written into the program's config map before it is attached, not
 * compiled in. The program is attached through a bpf_link, which the kernel removes
 * when its last descriptor closes: a daemon killed with SIGKILL leaves nothing that
 * blocks the next start. A stale {@code m13_steer} attached the classic way is
 * detached at attach time; any other program makes attach fail with EBUSY.
 *
 * <p>The compiled object is found through the system property
 * {@value #OBJECT_PROPERTY}, else next to the JNI library. The interface name is
 * resolved in the calling thread's network namespace (see {@link Netns}).
 */
public final class XdpProgram implements AutoCloseable {
    public static final String OBJECT_PROPERTY = "m13.native.bpf";
    public static final String OBJECT_FILE = "m13_steer.bpf.o";
    public static final int DEFAULT_UDP_PORT = 443;
    public static final int ETHERTYPE_M13 = 0x88B5;

    /** Where the program runs. */
    public enum Mode {
        /** Native if the driver supports it, else generic. */
        AUTO(0),
        /** In the driver, before an skb exists (XDP_FLAGS_DRV_MODE). */
        NATIVE(1),
        /** After skb allocation, on any interface (XDP_FLAGS_SKB_MODE). */
        GENERIC(2);

        /** The id shared with xdp_program.c. */
        private final int id;

        Mode(int id) {
            this.id = id;
        }

        static Mode ofId(int id) {
            for (Mode m : values()) {
                if (m.id == id) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown XDP mode id " + id);
        }
    }

    /** The program's per-CPU counters, summed (ids match m13_steer.bpf.c). */
    public enum Counter {
        /** EtherType 0x88B5 frames redirected to a socket. */
        ETHERTYPE_REDIRECTED(0),
        /** UDP datagrams to the port redirected to a socket. */
        UDP_REDIRECTED(1),
        /** Frames passed to the kernel. */
        PASSED(2);

        /** The index in the m13_counters map. */
        private final int id;

        Counter(int id) {
            this.id = id;
        }
    }

    private final String interfaceName;
    private final int udpPort;
    private final Mode mode;
    private final int ifindex;
    private final int programId;
    private final NativeHandle handle;

    private XdpProgram(String interfaceName, int udpPort, long handle) {
        this.interfaceName = interfaceName;
        this.udpPort = udpPort;
        this.mode = Mode.ofId(mode0(handle));
        this.ifindex = ifindex0(handle);
        this.programId = programId0(handle);
        this.handle = new NativeHandle(this, handle, 0, XdpProgram::close0);
    }

    /** Why the program cannot be loaded (library or object file missing), or null. */
    public static String unavailabilityCause() {
        if (!Native.isAvailable()) {
            return Native.unavailabilityCause();
        }
        Path object = objectPath();
        return Files.isReadable(object) ? null : "XDP object " + object + " is missing (build native/)";
    }

    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** The compiled object: {@value #OBJECT_PROPERTY}, else {@value #OBJECT_FILE} beside the JNI library. */
    public static Path objectPath() {
        String configured = System.getProperty(OBJECT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String library = System.getProperty(Native.LIBRARY_PROPERTY, "");
        Path directory = Path.of(library).toAbsolutePath().getParent();
        return directory == null ? Path.of(OBJECT_FILE) : directory.resolve(OBJECT_FILE);
    }

    /** Loads the program with {@code udpPort} and attaches it to {@code interfaceName}. */
    public static XdpProgram attach(String interfaceName, int udpPort, Mode mode) {
        String cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("XDP unavailable: " + cause);
        }
        if (udpPort <= 0 || udpPort > 0xFFFF) {
            throw new IllegalArgumentException("UDP port out of range: " + udpPort);
        }
        long handle = attach0(objectPath().toString(), interfaceName, udpPort, mode.id);
        return new XdpProgram(interfaceName, udpPort, handle);
    }

    /**
     * The id of the XDP program attached to {@code interfaceName} (in the calling
     * thread's namespace), or 0 when there is none.
     */
    public static int attachedProgramId(String interfaceName) {
        Native.ensureAvailable();
        return attachedProgramId0(interfaceName);
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int udpPort() {
        return udpPort;
    }

    /** The mode it was attached in: {@link Mode#NATIVE} or {@link Mode#GENERIC}. */
    public Mode mode() {
        return mode;
    }

    public int ifindex() {
        return ifindex;
    }

    public int programId() {
        return programId;
    }

    /** Reads the counters (a cold call: one map lookup per counter). */
    public long counter(Counter counter) {
        long[] values = new long[Counter.values().length];
        counters0(live(), values);
        return values[counter.id];
    }

    /** The XSKMAP's descriptor, for {@link XdpSocket#open}; owned by this program. */
    int xskMapFd() {
        return xskMapFd0(live());
    }

    @Override
    public void close() {
        handle.close();
    }

    private long live() {
        long h = handle.get();
        if (h == 0) {
            throw new IllegalStateException("XDP program on " + interfaceName + " is closed");
        }
        return h;
    }

    private static native long attach0(String objectPath, String interfaceName, int udpPort, int mode);

    private static native int mode0(long handle);

    private static native int ifindex0(long handle);

    private static native int programId0(long handle);

    private static native int xskMapFd0(long handle);

    private static native void counters0(long handle, long[] out);

    private static native void close0(long handle);

    private static native int attachedProgramId0(String interfaceName);
}
