package org.m13.sys;

import java.lang.ref.Cleaner;

/**
 * An io_uring with one provided buffer ring, through liburing.
 *
 * <p>Receives land in the provided buffers: buffer {@code id} is the
 * {@link #bufferSize()} bytes at {@code id * bufferSize()} in {@link #buffers()},
 * off-heap memory read in place. A completion that carries a buffer has
 * {@link #F_BUFFER} set and the id in its upper 16 flag bits ({@link #bufferId});
 * give it back with {@link #recycle} once processed. A multishot receive keeps
 * producing completions while {@link #F_MORE} is set; a completion without it
 * (for instance {@code -ENOBUFS} when all buffers are out) ends the request and
 * the owner re-arms it: nothing is lost, the datagrams wait in the socket.
 *
 * <p>Preparing calls ({@link #recvMultishot}, {@link #send}, {@link #readProvided},
 * {@link #read}, {@link #write}) queue a request and return 0, or {@code -EBUSY} when the
 * submission queue is full; {@link #submit} hands them to the kernel;
 * {@link #complete} copies finished requests into the caller's arrays without
 * waiting or allocating. All of them return {@code -errno} instead of throwing.
 *
 * <p>One thread owns a ring: with {@link Config#singleIssuer()} the kernel refuses
 * submissions from any other thread ({@code -EEXIST}). Create, use and close it on
 * that thread; {@link #close} then cancels and reaps armed requests first, so the
 * sockets are free again at once.
 */
public final class IoUring implements AutoCloseable {
    /** The completion carries a provided buffer. */
    public static final int F_BUFFER = 1;
    /** The request stays armed and will complete again. */
    public static final int F_MORE = 2;
    public static final int MAX_BATCH = 1024;
    private static final int BUFFER_SHIFT = 16;
    private static final int FLAG_SQPOLL = 1;
    private static final int FLAG_SINGLE_ISSUER = 2;
    private static final int CLOSE_TIMEOUT_MILLIS = 1000;

    /**
     * Ring geometry and mode. {@code bufferCount} is a power of two (at most 32768).
     * SQPOLL gives submission to a kernel thread that spins for
     * {@code sqThreadIdleMillis} after the last submission: it burns a core.
     */
    public record Config(int entries, int bufferCount, int bufferSize, boolean sqpoll, int sqThreadIdleMillis,
            boolean singleIssuer) {
        public Config {
            if (entries <= 0 || bufferCount <= 0 || bufferCount > 32768 || Integer.bitCount(bufferCount) != 1
                    || bufferSize <= 0) {
                throw new IllegalArgumentException("bad io_uring geometry: " + entries + " entries, " + bufferCount
                        + " buffers of " + bufferSize);
            }
        }

        /** 256 entries, 4096 buffers of 2 KB, single issuer, no SQPOLL. */
        public static Config defaults() {
            return new Config(256, 4096, 2048, false, 0, true);
        }
    }

    /** Why io_uring cannot be used here (probed once by creating a tiny ring), or null. */
    private static final class Probe {
        static final String CAUSE = probe();

        private static String probe() {
            if (!Native.isAvailable()) {
                return Native.unavailabilityCause();
            }
            try (IoUring ring = create(new Config(2, 1, 64, false, 0, false))) {
                return ring.bufferSize() == 64 ? null : "probe ring has the wrong geometry";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }
    }

    private final Config config;
    private final OffHeap buffers;
    private final Thread owner;
    private final NativeHandle handle;

    private IoUring(Config config, long handle) {
        this.config = config;
        this.buffers = OffHeap.wrap(buffers0(handle));
        this.owner = Thread.currentThread();
        this.handle = new NativeHandle(this, handle, 0, IoUring::close0);
    }

    /** Why io_uring with provided buffer rings is unusable (kernel, seccomp, sysctl), or null. */
    public static String unavailabilityCause() {
        return Probe.CAUSE;
    }

    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Creates the ring on the calling thread, which becomes its owner. */
    public static IoUring create(Config config) {
        Native.ensureAvailable();
        int flags = (config.sqpoll() ? FLAG_SQPOLL : 0) | (config.singleIssuer() ? FLAG_SINGLE_ISSUER : 0);
        long handle = create0(config.entries(), config.bufferCount(), config.bufferSize(), flags,
                config.sqThreadIdleMillis());
        try {
            return new IoUring(config, handle);
        } catch (RuntimeException e) {
            close0(handle);
            throw e;
        }
    }

    public Config config() {
        return config;
    }

    /** The provided buffers, one region. */
    public OffHeap buffers() {
        return buffers;
    }

    public int bufferSize() {
        return config.bufferSize();
    }

    /** Where buffer {@code id} starts in {@link #buffers()}. */
    public int bufferOffset(int id) {
        return id * config.bufferSize();
    }

    /** The buffer id in a completion's flags (meaningful when {@link #F_BUFFER} is set). */
    public static int bufferId(int flags) {
        return flags >>> BUFFER_SHIFT;
    }

    /** Arms a multishot receive on a (connected) socket into the provided buffers. */
    public int recvMultishot(int fd, long userData) {
        return recvMultishot0(handle.get(), fd, userData);
    }

    /** Queues a read of one packet (TUN) into a provided buffer. */
    public int readProvided(int fd, long userData) {
        return readProvided0(handle.get(), fd, userData);
    }

    /**
     * Arms a multishot read (kernel 6.7+) on a pollable descriptor such as a TUN:
     * one completion per packet, each in a provided buffer, while {@link #F_MORE} is set.
     */
    public int readMultishot(int fd, long userData) {
        return readMultishot0(handle.get(), fd, userData);
    }

    /** Queues a write of {@code length} bytes at a native address (TUN). */
    public int write(int fd, long address, int length, long userData) {
        return write0(handle.get(), fd, address, length, userData);
    }

    /**
     * Queues a read of up to {@code length} bytes into a native address, no provided
     * buffer (an {@link EventFd}'s counter: how another thread wakes the owner).
     */
    public int read(int fd, long address, int length, long userData) {
        return read0(handle.get(), fd, address, length, userData);
    }

    /** Queues a send of one datagram on a connected socket. */
    public int send(int fd, long address, int length, long userData) {
        return send0(handle.get(), fd, address, length, userData);
    }

    /** Queues the cancellation of the request tagged {@code target}. */
    public int cancel(long target, long userData) {
        return cancel0(handle.get(), target, userData);
    }

    /** Submits the queued requests: how many, or -errno. */
    public int submit() {
        return submit0(handle.get());
    }

    /** Waits up to {@code timeoutMillis} (-1: forever) for a completion: 1 ready, 0 timeout, or -errno. */
    public int await(int timeoutMillis) {
        return await0(handle.get(), timeoutMillis);
    }

    /**
     * Moves up to {@code max} completions into the arrays, in order: tag, result
     * (bytes or -errno) and flags. Returns how many; never waits.
     */
    public int complete(long[] userData, int[] results, int[] flags, int max) {
        int n = Math.min(max, Math.min(userData.length, Math.min(results.length, flags.length)));
        return complete0(handle.get(), userData, results, flags, n);
    }

    /** Gives {@code count} buffers back to the buffer ring: how many, or -errno. */
    public int recycle(int[] bufferIds, int count) {
        return recycle0(handle.get(), bufferIds, Math.min(count, bufferIds.length));
    }

    /**
     * Cancels every request in flight (armed multishots included) and reaps the
     * completions, waiting up to {@code timeoutMillis}: how many were reaped
     * (the cancel's own included), or -errno ({@code -ETIME} when the kernel was slower).
     * Their buffers are not recycled: use it to shut down.
     */
    public int cancelAll(int timeoutMillis) {
        return cancelAll0(handle.get(), timeoutMillis);
    }

    /**
     * Cancels and reaps every request in flight, then frees the ring. On the owner
     * thread the sockets are released before this returns; from another thread
     * (or the Cleaner) the kernel finishes the teardown shortly after.
     */
    @Override
    public void close() {
        long h = handle.get();
        if (h != 0 && (Thread.currentThread() == owner || !config.singleIssuer())) {
            var unused = cancelAll0(h, CLOSE_TIMEOUT_MILLIS);
        }
        handle.close();
    }

    private static native long create0(int entries, int bufferCount, int bufferSize, int flags, int sqThreadIdle);

    private static native java.nio.ByteBuffer buffers0(long handle);

    private static native int recvMultishot0(long handle, int fd, long userData);

    private static native int readProvided0(long handle, int fd, long userData);

    private static native int readMultishot0(long handle, int fd, long userData);

    private static native int write0(long handle, int fd, long address, int length, long userData);

    private static native int read0(long handle, int fd, long address, int length, long userData);

    private static native int send0(long handle, int fd, long address, int length, long userData);

    private static native int cancel0(long handle, long target, long userData);

    private static native int submit0(long handle);

    private static native int await0(long handle, int timeoutMillis);

    private static native int complete0(long handle, long[] userData, int[] results, int[] flags, int max);

    private static native int recycle0(long handle, int[] bufferIds, int count);

    private static native int cancelAll0(long handle, int timeoutMillis);

    private static native void close0(long handle);
}
