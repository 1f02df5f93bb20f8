package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.m13.stage.SlotPool;

/**
 * The SPSC hand-off between link-tx and the io_uring reactor, without a ring: the test
 * plays the reactor (next, advance, done) and checks order, the full case, wrap-around,
 * out-of-order completions, the park/wake protocol and that a frame allocates nothing.
 */
class TxHandoffTest {
    private final SlotPool slots = new SlotPool(4, 2048);
    private final ByteBuffer frames = slots.buffer();

    /** Writes a frame of {@code length} bytes tagged {@code tag} into slot 0 and returns its index. */
    private int frame(int tag, int length) {
        int index = slots.base(0);
        frames.putInt(index, tag);
        frames.put(index + length - 1, (byte) tag);
        return index;
    }

    private static int tagAt(TxHandoff h, long seq) {
        int base = h.base(seq);
        assertEquals(h.buffer().getInt(base) & 0xFF, h.buffer().get(base + h.length(seq) - 1) & 0xFF,
                "first and last byte copied");
        return h.buffer().getInt(base);
    }

    @Test
    void framesComeOutInOrderWithTheirLengthsAndAFullQueueRefuses() {
        TxHandoff h = new TxHandoff(4, 2048);
        for (int i = 0; i < 4; i++) {
            assertTrue(h.send(frames, frame(100 + i, 60 + i), 60 + i));
        }
        assertFalse(h.send(frames, frame(999, 60), 60), "four entries in flight: full");
        assertEquals(1, h.full());
        assertEquals(4, h.inFlight());
        for (int i = 0; i < 4; i++) {
            assertTrue(h.hasNext());
            long seq = h.nextSequence();
            assertEquals(i, seq);
            assertEquals(100 + i, tagAt(h, seq));
            assertEquals(60 + i, h.length(seq));
            h.advance();
        }
        assertFalse(h.hasNext());
        assertFalse(h.send(frames, frame(999, 60), 60), "sent but not completed: still full");
        h.done(0);
        assertTrue(h.send(frames, frame(104, 64), 64), "one entry free again");
        assertEquals(4, h.inFlight());
    }

    @Test
    void sequencesWrapAroundTheEntriesManyTimes() {
        TxHandoff h = new TxHandoff(8, 2048);
        long expected = 0;
        for (int round = 0; round < 1000; round++) {
            int burst = 1 + round % 8;
            for (int i = 0; i < burst; i++) {
                assertTrue(h.send(frames, frame((int) (expected + i), 100), 100));
            }
            for (int i = 0; i < burst; i++) {
                long seq = h.nextSequence();
                assertEquals(expected + i, seq);
                assertEquals((int) seq, tagAt(h, seq), "entry " + (seq & 7) + " holds frame " + seq);
                h.advance();
            }
            for (int i = 0; i < burst; i++) {
                h.done(expected + i);
            }
            expected += burst;
            assertEquals(0, h.inFlight());
        }
        assertEquals(0, h.full());
        assertEquals(expected, h.published());
    }

    @Test
    void outOfOrderCompletionsFreeEntriesOnlyOnceTheEarlierOnesAreDone() {
        TxHandoff h = new TxHandoff(4, 2048);
        for (int i = 0; i < 4; i++) {
            assertTrue(h.send(frames, frame(i, 62), 62));
            h.advance();
        }
        h.done(2);
        h.done(1);
        assertFalse(h.send(frames, frame(9, 62), 62), "frame 0 still in flight: nothing free");
        h.done(0);
        assertEquals(1, h.inFlight(), "0, 1 and 2 free; 3 in flight");
        for (int i = 0; i < 3; i++) {
            assertTrue(h.send(frames, frame(10 + i, 62), 62));
        }
        assertFalse(h.send(frames, frame(13, 62), 62));
    }

    @Test
    void aFrameLargerThanAnEntryIsRefused() {
        TxHandoff h = new TxHandoff(4, 128);
        assertFalse(h.send(frames, frame(1, 129), 129));
        assertEquals(1, h.oversize());
        assertTrue(h.send(frames, frame(1, 128), 128));
        assertThrows(IllegalArgumentException.class, () -> new TxHandoff(3, 2048), "a power of two");
    }

    @Test
    void aParkedConsumerIsWokenOnceAndARunningOneNever() {
        TxHandoff h = new TxHandoff(8, 2048);
        AtomicInteger wakes = new AtomicInteger();
        h.wakeup(wakes::incrementAndGet);
        assertTrue(h.send(frames, frame(1, 62), 62));
        assertEquals(0, wakes.get(), "consumer not parked: no wake-up");
        assertFalse(h.park(), "a frame is waiting: the consumer must not park");
        h.advance();
        assertTrue(h.park());
        assertTrue(h.send(frames, frame(2, 62), 62));
        assertTrue(h.send(frames, frame(3, 62), 62));
        assertEquals(1, wakes.get(), "one wake-up for a parked consumer, however many frames");
        h.unpark();
        assertTrue(h.send(frames, frame(4, 62), 62));
        assertEquals(1, wakes.get());
        assertEquals(1, h.wakeups());
    }

    /** The Dekker pairing under real threads: no frame is ever left waiting on a parked consumer. */
    @Test
    void noFrameIsStrandedWhileTheConsumerParks() throws Exception {
        TxHandoff h = new TxHandoff(64, 2048);
        Object lock = new Object();
        boolean[] signalled = {false};
        h.wakeup(() -> {
            synchronized (lock) {
                signalled[0] = true;
                lock.notifyAll();
            }
        });
        int total = 200_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                ByteBuffer src = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < total;) {
                    src.putInt(0, i);
                    if (h.send(src, 0, 64)) {
                        i++;
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                failure.set(e);
            }
        }, "link-tx");
        producer.start();
        long consumed = 0;
        long stranded = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (consumed < total && System.nanoTime() < deadline) {
            if (h.hasNext()) {
                long seq = h.nextSequence();
                h.advance();
                h.done(seq);
                consumed++;
                continue;
            }
            if (h.park()) {
                synchronized (lock) {
                    // a long wait would mean a stranded frame; 2 s is far beyond any scheduling delay
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (!signalled[0] && System.nanoTime() < until) {
                        lock.wait(1);
                    }
                    if (!signalled[0] && h.hasNext()) {
                        stranded++;
                    }
                    signalled[0] = false;
                }
                h.unpark();
            }
        }
        producer.join(10_000);
        assertEquals(null, failure.get());
        assertEquals(total, consumed);
        assertEquals(0, stranded, "frames published while the consumer parked without a wake-up");
    }

    @Test
    void aFrameThroughTheHandoffAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        TxHandoff h = new TxHandoff(256, 2048);
        AtomicInteger wakes = new AtomicInteger();
        h.wakeup(wakes::incrementAndGet);
        int index = frame(7, 1400);
        long failures = churn(h, index, 50_000);
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        failures += churn(h, index, 1_000_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, failures);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 1 000 000 frames");
        assertTrue(wakes.get() > 0, "the wake-up path ran too");
    }

    /** Producer and consumer on this thread: send 4 frames, take and complete them, park now and then. */
    private long churn(TxHandoff h, int index, int count) {
        long failures = 0;
        for (int i = 0; i < count; i += 4) {
            if (i % 64 == 0) {
                failures += h.park() ? 0 : 1;
            }
            for (int k = 0; k < 4; k++) {
                failures += h.send(frames, index, 1400) ? 0 : 1;
            }
            h.unpark();
            for (int k = 0; k < 4; k++) {
                long seq = h.nextSequence();
                h.advance();
                failures += h.length(seq) == 1400 ? 0 : 1;
                h.done(seq);
            }
        }
        return failures;
    }
}
