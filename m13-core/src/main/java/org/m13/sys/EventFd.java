package org.m13.sys;

/**
 * A Linux eventfd (non-blocking): a counter that any thread bumps with {@link #signal}
 * to wake the thread waiting on it. An {@link IoUring} owner keeps a read of it armed
 * ({@link IoUring#read}), so a producer on another thread can wake a reactor parked in
 * {@link IoUring#await} without submitting to its single-issuer ring.
 */
public final class EventFd implements AutoCloseable {
    /** Bytes of the counter a read returns. */
    public static final int COUNTER_BYTES = 8;

    /** The descriptor, -1 once closed (calls then fail with -EBADF, never on a reused number). */
    private final NativeHandle handle;

    private EventFd(int fd) {
        this.handle = new NativeHandle(this, fd, -1, EventFd::release);
    }

    public static EventFd open() {
        Native.ensureAvailable();
        int fd = open0();
        try {
            return new EventFd(fd);
        } catch (RuntimeException e) {
            close0(fd);
            throw e;
        }
    }

    public int fd() {
        return (int) handle.get();
    }

    /** Adds one to the counter (a hot call from any thread): 0, or -errno. */
    public int signal() {
        return signal0((int) handle.get());
    }

    /** Reads and clears the counter: its value, 0 when it was already 0, or -errno. */
    public long drain() {
        return drain0((int) handle.get());
    }

    @Override
    public void close() {
        handle.close();
    }

    private static native int open0();

    private static native int signal0(int fd);

    private static native long drain0(int fd);

    private static void release(long fd) {
        close0((int) fd);
    }

    private static native void close0(int fd);
}
