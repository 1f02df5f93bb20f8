package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * eventfd alone, and as the way another thread wakes an io_uring owner parked in
 * {@link IoUring#await}: a read armed on it completes when the other thread signals,
 * without that thread touching the single-issuer ring. Unprivileged.
 */
@Timeout(60)
class EventFdTest {
    private static final long WAKE = 7;
    private static final int EBADF = 9;

    @Test
    void signalsAddUpAndADrainClearsThem() {
        assumeTrue(Native.isAvailable(), Native::unavailabilityCause);
        EventFd e = EventFd.open();
        try {
            assertEquals(0, e.drain(), "nothing signalled: would block");
            assertEquals(0, e.signal());
            assertEquals(0, e.signal());
            assertEquals(2, e.drain());
            assertEquals(0, e.drain());
        } finally {
            e.close();
        }
        assertEquals(-EBADF, e.signal(), "closed: -EBADF, never a reused descriptor");
    }

    @Test
    void anArmedReadWakesTheRingOwnerWhenAnotherThreadSignals() throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.unavailabilityCause());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try (EventFd e = EventFd.open(); IoUring ring = IoUring.create(IoUring.Config.defaults())) {
            OffHeap counter = OffHeap.allocate(EventFd.COUNTER_BYTES);
            assertEquals(0, ring.read(e.fd(), counter.address(), EventFd.COUNTER_BYTES, WAKE));
            assertEquals(1, ring.submit());
            assertEquals(0, ring.await(20), "armed, nobody signalled");
            Future<Integer> signalled = other.submit(e::signal);
            assertEquals(0, NetnsFixture.await(signalled));
            assertEquals(1, ring.await(10_000), "the signal completed the read");
            long[] tags = new long[4];
            int[] results = new int[4];
            int[] flags = new int[4];
            assertEquals(1, ring.complete(tags, results, flags, 4));
            assertEquals(WAKE, tags[0]);
            assertEquals(EventFd.COUNTER_BYTES, results[0]);
            assertEquals(1, counter.buffer().duplicate().order(java.nio.ByteOrder.nativeOrder()).getLong(0));
            assertEquals(0, e.drain(), "the read consumed the counter");
        } finally {
            other.shutdownNow();
        }
    }
}
