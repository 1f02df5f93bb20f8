package org.m13.sys;


/**
 * A TUN device ({@code IFF_TUN | IFF_NO_PI}): each read returns one IP packet, each
 * write injects one, with no packet-information prefix. The descriptor is
 * non-blocking; {@link #poll} waits with a timeout.
 *
 * <p>{@link #open} creates the device, or attaches to an existing persistent one of
 * that name, in the calling thread's network namespace (see {@link Netns}); a
 * control socket opened at the same time keeps {@link #setMtu} and {@link #setUp}
 * acting in that namespace whichever thread calls them.
 *
 * <p>Hot calls ({@link #read}, {@link #write}, {@link #poll}) return a count,
 * {@code 0} for "would block" or "timed out", or {@code -errno} (see
 * {@link Native#check}); cold calls throw {@link IllegalStateException} naming the
 * operation and the errno text. Close only once no thread reads or writes any more;
 * a Cleaner closes the descriptors if the owner forgets.
 */
public final class Tun implements TunDevice, AutoCloseable {
    public static final int POLLIN = 0x1;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    /** {@code IFF_UP} in {@link #flags()}. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_RUNNING} in {@link #flags()}. */
    public static final int IFF_RUNNING = 0x40;
    /** Longest interface name the kernel accepts (IFNAMSIZ - 1). */
    public static final int MAX_NAME_LENGTH = 15;

    private static final int EBADF = 9;

    private final int fd;
    private final int control;
    private final String name;
    /** Both descriptors, packed (fd << 32 | control); -1 once closed. */
    private final NativeHandle descriptors;

    private Tun(int fd, int control, String name) {
        this.fd = fd;
        this.control = control;
        this.name = name;
        this.descriptors = new NativeHandle(this, ((long) fd << 32) | (control & 0xFFFF_FFFFL), -1L, Tun::release);
    }

    /**
     * Creates or attaches to the TUN device {@code name} (empty: the kernel picks
     * {@code tunN}) in the calling thread's network namespace.
     */
    public static Tun open(String name) {
        Native.ensureAvailable();
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: " + name);
        }
        int fd = open0(name);
        int control = -1;
        try {
            control = controlSocket0();
            return new Tun(fd, control, name0(fd));
        } catch (RuntimeException e) {
            close0(fd);
            if (control >= 0) {
                close0(control);
            }
            throw e;
        }
    }

    /** The interface name the kernel gave the device. */
    public String name() {
        return name;
    }

    /** The descriptor, for registration with io_uring or poll; owned by this object. */
    public int fd() {
        ensureOpen();
        return fd;
    }

    public void setMtu(int mtu) {
        ensureOpen();
        setMtu0(control, name, mtu);
    }

    public int mtu() {
        ensureOpen();
        return mtu0(control, name);
    }

    /** Sets or clears IFF_UP (like {@code ip link set dev <name> up|down}). */
    public void setUp(boolean up) {
        ensureOpen();
        setUp0(control, name, up);
    }

    /** The interface flags (IFF_UP, IFF_RUNNING, ...). */
    public int flags() {
        ensureOpen();
        return flags0(control, name);
    }

    public boolean isUp() {
        return (flags() & IFF_UP) != 0;
    }

    /** Reads one packet into native memory: its length, 0 if none is queued, or -errno. */
    @Override
    public int read(long address, int length) {
        return read0(liveFd(), address, length);
    }

    /** Writes one packet from native memory: its length, 0 if the queue is full, or -errno. */
    @Override
    public int write(long address, int length) {
        return write0(liveFd(), address, length);
    }

    /** The descriptor, or -1 once closed (the call then fails with -EBADF, never on a reused number). */
    private int liveFd() {
        return descriptors.isClosed() ? -1 : fd;
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for {@code events}
     * ({@link #POLLIN}, {@link #POLLOUT}): the events that are ready, 0 on timeout,
     * or -errno ({@code -EINTR} when interrupted by a signal).
     */
    @Override
    public int poll(int events, int timeoutMillis) {
        int live = liveFd();
        return live < 0 ? -EBADF : poll0(live, events, timeoutMillis); // poll() would ignore fd -1
    }

    @Override
    public void close() {
        descriptors.close();
    }

    private void ensureOpen() {
        if (descriptors.isClosed()) {
            throw new IllegalStateException("TUN device " + name + " is closed");
        }
    }

    private static void release(long packed) {
        close0((int) (packed >>> 32));
        close0((int) packed);
    }

    private static native int open0(String name);

    private static native String name0(int fd);

    private static native int controlSocket0();

    private static native void setMtu0(int control, String name, int mtu);

    private static native int mtu0(int control, String name);

    private static native int flags0(int control, String name);

    private static native void setUp0(int control, String name, boolean up);

    private static native int read0(int fd, long address, int length);

    private static native int write0(int fd, long address, int length);

    private static native int poll0(int fd, int events, int timeoutMillis);

    private static native void close0(int fd);
}
