package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.m13.stage.TestFrames.NODE_MAC;

import com.lmax.disruptor.YieldingWaitStrategy;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AesGcm;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.Wire;

/**
 * The receive chain on a real Disruptor ring: the test thread is the link poller (single
 * producer), one consumer thread runs parse, decrypt, classify, scatter and release fused.
 */
class RingPipelineTest {
    private static final int OFFSET = Wire.UDP_HUB_FRAME_OFFSET;
    private static final int FRAMES = 100_000;
    private static final int WARM_UP = 20_000;
    /** How long the producer waits for a slot or ring room before calling it a leak or a stall. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Names the consumer threads prefix0, prefix1, ..., as the topology's thread factory will. */
    private static ThreadFactory threadFactory(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** What the producer sent, to check the counters against. */
    private static final class Expected {
        long tunnel;
        long control;
        long feedback;
        long handshake;
        long authFailed;
        long replayed;
        long badMagic;
        long cleartextRefused;
    }

    /**
     * Pushes {@code count} frames: mostly sealed 1400-byte tunnel frames, and every 100
     * frames one tampered, one replayed, one with a bad magic, one cleartext echo, one
     * feedback, one cleartext tunnel (refused) and one unfragmented handshake message.
     */
    private static long produce(RingPipeline ring, SlotPool pool, AesGcm tx, long seq, int count, Expected x) {
        long lastAccepted = 0;
        for (int i = 0; i < count; i++) {
            int slot = allocWithin(pool);
            int length;
            switch (i % 100) {
                case 7 -> {
                    length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, ++seq, Flags.TUNNEL, 1400);
                    TestFrames.flip(pool, slot, OFFSET, 60);
                    x.authFailed++;
                }
                case 13 -> {
                    length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, lastAccepted, Flags.TUNNEL, 200);
                    x.replayed++;
                }
                case 29 -> {
                    length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, ++seq, Flags.TUNNEL, 200);
                    TestFrames.flip(pool, slot, OFFSET, 0);
                    x.badMagic++;
                }
                case 41 -> {
                    length = TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.CONTROL, 4);
                    x.control++;
                }
                case 53 -> {
                    length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, ++seq, Flags.FEEDBACK, 32);
                    lastAccepted = seq;
                    x.feedback++;
                }
                case 67 -> {
                    length = TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.TUNNEL, 200);
                    x.cleartextRefused++;
                }
                case 83 -> {
                    length = TestFrames.cleartext(pool, slot, OFFSET, NODE_MAC, 0, Flags.CONTROL | Flags.HANDSHAKE, 900);
                    x.handshake++;
                }
                default -> {
                    length = TestFrames.sealed(pool, slot, OFFSET, NODE_MAC, tx, 0, ++seq, Flags.TUNNEL, 1400);
                    lastAccepted = seq;
                    x.tunnel++;
                }
            }
            ring.publish(slot, OFFSET, length, System.nanoTime());
        }
        return seq;
    }

    @Test
    void hundredThousandFramesThroughTheFusedChainLeakNoSlotAndAllocateNothing() {
        runChain(FRAMES, 1);
    }

    /** The same stages split over two threads on one ring: the second sees each frame after the first. */
    @Test
    void theSameChainSplitOverTwoThreads() {
        runChain(FRAMES / 2, 2);
    }

    /**
     * Runs {@link RxChain} on one ring, its stages fused on one thread or split over two
     * (parse, decrypt | classify, scatter, release), then checks every slot came back,
     * every counter matches what was sent, and no consumer thread allocated per frame.
     */
    private static void runChain(int frames, int threadCount) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        SlotPool pool = new SlotPool(512, SlotPool.DEFAULT_SLOT_BYTES);
        Expected x = new Expected();
        long[] allocated = new long[threadCount];
        Thread[] consumers = new Thread[threadCount];
        long elapsed;
        long seq;
        try (RxChain rx = new RxChain(pool); AesGcm tx = AesGcm.withKey(TestFrames.key(1))) {
            Stage[] all = rx.stages();
            FusedHandler[] handlers = threadCount == 1
                    ? new FusedHandler[] {new FusedHandler("rx", all)}
                    : new FusedHandler[] {new FusedHandler("rx-a", all[0], all[1]),
                        new FusedHandler("rx-b", all[2], all[3], all[4])};
            try (RingPipeline ring = RingPipeline.singleProducer("rx", 1024, new YieldingWaitStrategy(),
                    threadFactory("m13-rx-"), handlers)) {
                ring.start();
                seq = produce(ring, pool, tx, 0, WARM_UP, x); // JIT, class init
                assertTrue(ring.awaitDrained(30, TimeUnit.SECONDS), "warm-up drained");
                long[] before = new long[threadCount];
                for (int i = 0; i < threadCount; i++) {
                    before[i] = threads.getThreadAllocatedBytes(ring.thread(i).getId());
                }
                long start = System.nanoTime();
                seq = produce(ring, pool, tx, seq, frames, x);
                assertTrue(ring.awaitDrained(30, TimeUnit.SECONDS), "run drained");
                elapsed = System.nanoTime() - start;
                for (int i = 0; i < threadCount; i++) {
                    allocated[i] = threads.getThreadAllocatedBytes(ring.thread(i).getId()) - before[i];
                }
                assertEquals(WARM_UP + frames, ring.processed());
                assertEquals(0, ring.escapedErrors());
                System.out.print(ring.describe());
                for (int i = 0; i < threadCount; i++) {
                    consumers[i] = ring.thread(i);
                }
            }
            for (Thread t : consumers) {
                assertFalse(t.isAlive(), t.getName() + " outlived close()");
            }
            for (FusedHandler handler : handlers) {
                assertEquals(WARM_UP + frames, handler.events(), handler.name());
                for (int i = 0; i < handler.stageCount(); i++) {
                    assertEquals(0, handler.faults(i), handler.stage(i).role() + " threw: " + handler.firstFault(i));
                }
            }

            long total = (long) WARM_UP + frames;
            assertEquals(0, pool.inUse(), "slot leak");
            assertEquals(total, pool.allocations());
            assertEquals(total, pool.frees());
            assertEquals(total, rx.release.released());
            assertEquals(x.tunnel, rx.tun.frames);
            assertEquals(0, rx.tun.corrupt, "tunnel bodies decrypted intact");
            assertEquals(x.control, rx.control.frames);
            assertEquals(x.feedback, rx.feedback.frames);
            assertEquals(x.handshake, rx.handshakeMessages);
            assertEquals(x.authFailed, rx.release.drops(DropReason.AUTH_FAILED));
            assertEquals(x.replayed, rx.release.drops(DropReason.REPLAY_DUPLICATE));
            assertEquals(x.badMagic, rx.release.drops(DropReason.BAD_MAGIC));
            assertEquals(x.cleartextRefused, rx.release.drops(DropReason.CLEARTEXT_REFUSED));
            long dropped = x.authFailed + x.replayed + x.badMagic + x.cleartextRefused;
            assertEquals(dropped, rx.release.dropped(), "no unexpected drop: " + rx.release.drops());
            assertEquals(total - dropped, rx.release.delivered());
            assertEquals(rx.stageDrops(), rx.release.dropped());
            assertEquals(seq, rx.sessions.replayWindow(0, 0).highest(), "the last frame is an accepted tunnel frame");
            System.out.printf("rx ring, %d thread(s): %d frames in %.1f ms (%.0f ns/frame incl. producer seal), "
                    + "consumer threads allocated %s bytes, max latency %.1f us%n", threadCount, frames, elapsed / 1e6,
                    (double) elapsed / frames, java.util.Arrays.toString(allocated),
                    rx.release.latencyMaxNanos() / 1e3);
            for (int i = 0; i < threadCount; i++) {
                // Per-frame allocation of even 8 bytes would show as 400 000 or more here.
                assertTrue(allocated[i] < 8192, "consumer thread " + i + " allocated " + allocated[i] + " bytes over "
                        + frames + " frames");
            }
        }
    }

    @Test
    void aTimerTickGoesThroughTheChainToScattersTimerAndFreesNothing() {
        SlotPool pool = new SlotPool(16, SlotPool.DEFAULT_SLOT_BYTES);
        Scatter scatter = new Scatter(pool, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED, Sink.UNWIRED);
        java.util.concurrent.atomic.AtomicLong ticked = new java.util.concurrent.atomic.AtomicLong(-1);
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        scatter.timer(nanos -> {
            ticked.set(nanos);
            try {
                hold.await(); // the consumer is busy with the tick until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Release release = new Release(pool, NanoClock.SYSTEM);
        FusedHandler all = new FusedHandler("rx", new Parse(pool, new MacPeerTable(1)), new Classify(pool), scatter,
                release);
        try (RingPipeline ring = RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(),
                threadFactory("m13-tick-"), all)) {
            ring.start();
            assertFalse(ring.publishTimerIfDue(1_000), "no tick asked for");
            assertEquals(100, ring.idleMillis(1_000, 100));
            ring.wakeAt(5_000_000);
            assertEquals(5, ring.idleMillis(1_000, 100), "the idle wait ends at the tick (4.999 ms, rounded up)");
            assertFalse(ring.publishTimerIfDue(4_999_999));
            assertTrue(ring.publishTimerIfDue(5_000_000));
            assertFalse(ring.publishTimerIfDue(6_000_000), "one tick per request");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ticked.get() < 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, ring.idleMillis(6_000_000, 100), "a consumer still on an event may yet ask for a tick");
            hold.countDown();
            assertTrue(ring.awaitDrained(10, TimeUnit.SECONDS));
            assertEquals(100, ring.idleMillis(6_000_000, 100), "caught up, nothing asked: the full idle wait");
            assertEquals(5_000_000, ticked.get());
            assertEquals(1, ring.timers());
            assertEquals(0, release.released());
            assertEquals(0, all.faults(0) + all.faults(1) + all.faults(2) + all.faults(3), "no stage choked on it");
        }
    }

    @Test
    void describesTheWiringAndRefusesARingWithoutConsumer() {
        SlotPool pool = new SlotPool(4, 256);
        FusedHandler a = new FusedHandler("a", new Parse(pool, new MacPeerTable(1)));
        FusedHandler b = new FusedHandler("b", new Classify(pool), new Release(pool, NanoClock.SYSTEM));
        try (RingPipeline ring = RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(),
                threadFactory("t-"), a, b)) {
            assertEquals("ring rx: 64 events\n  [t-0] parse\n  [t-1] classify -> release\n", ring.describe());
            assertEquals(2, ring.threadCount());
        }
        assertThrows(IllegalArgumentException.class,
                () -> RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(), threadFactory("t-")),
                "a ring with no consumer is refused");
    }

    @Test
    void refusesAStagePlacedTwiceOrAReleaseBeforeTheEnd() {
        SlotPool pool = new SlotPool(4, 256);
        Parse parse = new Parse(pool, new MacPeerTable(1));
        Classify classify = new Classify(pool);
        Release release = new Release(pool, NanoClock.SYSTEM);
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(), threadFactory("t-"),
                        new FusedHandler("a", parse), new FusedHandler("b", parse, release)));
        assertEquals("ring rx: stage parse placed twice (threads a and b)", twice.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(), threadFactory("t-"),
                        new FusedHandler("a", parse, parse)), "twice on one thread");
        IllegalArgumentException early = assertThrows(IllegalArgumentException.class,
                () -> RingPipeline.singleProducer("rx", 64, new YieldingWaitStrategy(), threadFactory("t-"),
                        new FusedHandler("a", parse, release), new FusedHandler("b", classify)));
        assertEquals("ring rx: release on thread a is not the last stage of the ring", early.getMessage());
    }

    /** A stage that throws does not stop the consumer: later frames flow, every slot comes back. */
    @Test
    void aThrowingStageDoesNotStallTheRing() {
        SlotPool pool = new SlotPool(64, 256);
        Stage flaky = new Stage() {
            @Override
            public String role() {
                return "flaky";
            }

            @Override
            public void onEvent(FrameEvent event) {
                if (event.length() % 10 == 0) {
                    throw new IllegalStateException("frame " + event.length());
                }
            }
        };
        Release release = new Release(pool, NanoClock.SYSTEM);
        FusedHandler handler = new FusedHandler("rx", flaky, release);
        try (RingPipeline ring = RingPipeline.singleProducer("rx", 16, new YieldingWaitStrategy(),
                threadFactory("m13-rx-"), handler)) {
            ring.start();
            for (int i = 0; i < 1000; i++) {
                int slot = allocWithin(pool);
                long stall = System.nanoTime() + STALL_NANOS;
                while (!ring.tryPublish(slot, 0, i, System.nanoTime())) {
                    assertTrue(System.nanoTime() - stall < 0, "ring stayed full: consumer stalled");
                    Thread.onSpinWait();
                }
            }
            assertTrue(ring.awaitDrained(30, TimeUnit.SECONDS));
        }
        assertEquals(100, handler.faults(0));
        assertEquals(100, release.drops(DropReason.STAGE_FAULT));
        assertEquals(1000, release.released());
        assertEquals(0, pool.inUse());
    }

    /** A free slot; fails instead of hanging when none comes back (a leak, or a stalled consumer). */
    private static int allocWithin(SlotPool pool) {
        long deadline = System.nanoTime() + STALL_NANOS;
        int slot;
        while ((slot = pool.alloc()) == SlotPool.NO_SLOT) {
            assertTrue(System.nanoTime() - deadline < 0,
                    "no slot came back: " + pool.inUse() + " of " + pool.slots() + " in use");
            Thread.onSpinWait(); // every slot in flight: wait for release
        }
        return slot;
    }
}
