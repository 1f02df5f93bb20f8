package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;

/**
 * The scheduler driven step by step on virtual time: the test is the TX thread, calling
 * {@code onEvent} as frames arrive and {@code doWork} at each wake-up.
 */
class SchedulerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int MTU_FRAME = Pacer.DEFAULT_BURST_BYTES;

    /** Virtual time. */
    static final class VirtualClock implements NanoClock {
        long now;

        @Override
        public long nanoTime() {
            return now;
        }
    }

    /** Records what left and when; the frame's first byte tags it. */
    static final class RecordingLink implements LinkSender {
        final VirtualClock clock;
        long[] times = new long[1 << 16];
        int[] lengths = new int[1 << 16];
        byte[] tags = new byte[1 << 16];
        int count;
        boolean refuse;

        RecordingLink(VirtualClock clock) {
            this.clock = clock;
        }

        @Override
        public boolean send(ByteBuffer buffer, int index, int length) {
            if (refuse) {
                return false;
            }
            if (count == times.length) {
                times = java.util.Arrays.copyOf(times, count * 2);
                lengths = java.util.Arrays.copyOf(lengths, count * 2);
                tags = java.util.Arrays.copyOf(tags, count * 2);
            }
            times[count] = clock.now;
            lengths[count] = length;
            tags[count] = buffer.get(index);
            count++;
            return true;
        }

        /** Most bytes sent in any window [t, t + width) over sends in [from, to). */
        long maxWindowBytes(long width, long from, long to) {
            long max = 0;
            long sum = 0;
            int j = 0;
            for (int i = 0; i < count; i++) {
                if (times[i] < from) {
                    continue;
                }
                if (j < i) {
                    j = i;
                    sum = 0;
                }
                while (j < count && times[j] < times[i] + width && times[j] < to) {
                    sum += lengths[j++];
                }
                max = Math.max(max, sum);
                sum -= lengths[i];
            }
            return max;
        }

        long bytesBetween(long from, long to) {
            long sum = 0;
            for (int i = 0; i < count; i++) {
                if (times[i] >= from && times[i] < to) {
                    sum += lengths[i];
                }
            }
            return sum;
        }
    }

    /** A test bench: pool, clock, link, scheduler, and a reusable event. */
    static final class Bench {
        final SlotPool pool = new SlotPool(4096, SlotPool.DEFAULT_SLOT_BYTES);
        final VirtualClock clock = new VirtualClock();
        final RecordingLink link = new RecordingLink(clock);
        final Scheduler scheduler;
        final Release release = new Release(pool, clock);
        final FrameEvent event = new FrameEvent();

        Bench(long rate, int criticalFrames, int bulkFrames) {
            this(rate, Pacer.DEFAULT_BURST_BYTES, criticalFrames, bulkFrames);
        }

        Bench(long rate, int burstBytes, int criticalFrames, int bulkFrames) {
            scheduler = new Scheduler(pool, link, new Pacer(rate, burstBytes), clock, criticalFrames, bulkFrames);
        }

        /** Publishes one frame through scheduler then release, as the TX ring would. */
        FrameEvent offer(int length, Disposition disposition, byte tag) {
            int slot = pool.alloc();
            assertTrue(slot >= 0, "pool exhausted");
            pool.buffer().put(pool.base(slot), tag);
            event.received(slot, 0, length, clock.now).disposition(disposition);
            scheduler.onEvent(event);
            release.onEvent(event);
            return event;
        }
    }

    /**
     * Keeps the bulk queue topped up (and a critical frame every 50th) with frames of 64 to
     * 1514 bytes, for {@code seconds} of virtual time. At each step it first checks that
     * nothing leaves before the reported wake-up, then wakes on time or, when {@code late},
     * one time in ten late by up to one burst's transmission time (a busy thread; the burst absorbs that
     * much lateness without losing rate, more lateness is rate lost, never a catch-up burst).
     */
    private static void saturate(Bench b, long until, SplittableRandom random, boolean late) {
        int n = 0;
        long burstNanos = MTU_FRAME * 8L * SECOND / b.scheduler.rateBitsPerSecond();
        while (b.clock.now < until) {
            while (b.scheduler.bulkDepth() < 32) {
                int length = 64 + random.nextInt(MTU_FRAME - 64 + 1);
                boolean critical = ++n % 50 == 0;
                FrameEvent e = b.offer(length, critical ? Disposition.CONTROL : Disposition.TUNNEL, (byte) 0);
                assertTrue(e.isHandedOff(), "queued");
            }
            int sent = b.scheduler.doWork(b.clock.now);
            long wake = b.scheduler.nextWakeNanos();
            assertTrue(wake > b.clock.now, "doWork sent everything due");
            long early = b.clock.now + random.nextLong(wake - b.clock.now);
            assertEquals(0, b.scheduler.doWork(early), "a frame left before its departure time");
            assertTrue(sent >= 0);
            b.clock.now = wake + (late && random.nextInt(10) == 0 ? random.nextLong(burstNanos) : 0);
        }
    }

    private static void assertPacedAt(long rate) {
        assertPacedAt(rate, false, 99);
        assertPacedAt(rate, true, 95);
    }

    /** Saturates for 10 s; checks the window bound, and at least {@code minPercent} of the rate used. */
    private static void assertPacedAt(long rate, boolean late, int minPercent) {
        Bench b = new Bench(rate, 64, 64);
        saturate(b, 10 * SECOND, new SplittableRandom(rate), late);
        long bound = rate / 8 + MTU_FRAME;
        long maxWindow = b.link.maxWindowBytes(SECOND, 0, Long.MAX_VALUE);
        long total = b.link.bytesBetween(0, 10 * SECOND);
        System.out.printf("scheduler at %d bit/s, %s wake-ups: %d frames, max bytes in a 1 s window %d (bound %d), "
                + "mean %.4f of the rate over 10 s%n", rate, late ? "late" : "on-time", b.link.count, maxWindow, bound,
                total * 8.0 / rate / 10);
        assertTrue(maxWindow <= bound, "window of " + maxWindow + " bytes above " + bound);
        assertTrue(total * 8 >= rate * 10 * minPercent / 100, "under-paced: " + total + " bytes in 10 s");
        assertTrue(b.scheduler.sentCritical() > 0 && b.scheduler.sentBulk() > 0);
        assertEquals(0, b.scheduler.drops().total(), b.scheduler.drops().toString());
        b.scheduler.onShutdown();
        assertEquals(0, b.pool.inUse(), "slot leak");
        assertEquals(b.pool.frees(), b.pool.allocations());
    }

    @Test
    void hundredMegabitsNeverExceedsTheRateByMoreThanOneFrameInAnySecond() {
        assertPacedAt(Pacer.DEFAULT_RATE_BITS_PER_SECOND);
    }

    @Test
    void twentyMegabits() {
        assertPacedAt(20_000_000);
    }

    @Test
    void oneMegabit() {
        assertPacedAt(1_000_000);
    }

    /** The window check is tight: a pacer allowing two frames of burst breaks it at once. */
    @Test
    void theWindowCheckCatchesABurstOfTwoFrames() {
        long rate = 20_000_000;
        Bench b = new Bench(rate, 2 * MTU_FRAME, 64, 64);
        saturate(b, 3 * SECOND, new SplittableRandom(3), false);
        long maxWindow = b.link.maxWindowBytes(SECOND, 0, Long.MAX_VALUE);
        assertTrue(maxWindow > rate / 8 + MTU_FRAME, "a 3028-byte burst stays unseen: " + maxWindow);
        b.scheduler.onShutdown();
    }

    @Test
    void aFrameOutsideItsSlotIsRefusedBeforeItIsQueued() {
        Bench b = new Bench(100_000_000, 4, 4);
        FrameEvent e = new FrameEvent().received(FrameEvent.NO_SLOT, 0, 100, 0).disposition(Disposition.TUNNEL);
        b.scheduler.onEvent(e);
        assertEquals(DropReason.SLOT_RANGE, e.drop());
        FrameEvent tooLong = new FrameEvent().received(0, 100, SlotPool.DEFAULT_SLOT_BYTES, 0);
        b.scheduler.onEvent(tooLong);
        assertEquals(DropReason.SLOT_RANGE, tooLong.drop());
        assertEquals(2, b.scheduler.drops(DropReason.SLOT_RANGE));
        assertEquals(0, b.scheduler.bulkDepth());
    }

    @Test
    void criticalFramesOvertakeQueuedBulkOnes() {
        Bench b = new Bench(1_000_000, 16, 16);
        for (int i = 1; i <= 10; i++) {
            assertTrue(b.offer(1000, Disposition.TUNNEL, (byte) i).isHandedOff());
        }
        assertEquals(1, b.scheduler.doWork(0), "the first bulk frame fits the burst");
        assertTrue(b.offer(200, Disposition.HANDSHAKE, (byte) 101).isHandedOff());
        assertTrue(b.offer(200, Disposition.FEEDBACK, (byte) 102).isHandedOff());
        assertTrue(b.offer(1000, Disposition.FEC, (byte) 11).isHandedOff());
        assertTrue(b.offer(200, Disposition.CONTROL, (byte) 103).isHandedOff());
        assertEquals(3, b.scheduler.criticalDepth());
        while (b.scheduler.nextWakeNanos() != Long.MAX_VALUE) {
            b.clock.now = Math.max(b.clock.now, b.scheduler.nextWakeNanos());
            int sent = b.scheduler.doWork(b.clock.now);
            assertTrue(sent >= 0);
        }
        byte[] order = java.util.Arrays.copyOf(b.link.tags, b.link.count);
        assertEquals("[1, 101, 102, 103, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", java.util.Arrays.toString(order));
        assertEquals(3, b.scheduler.sentCritical());
        assertEquals(11, b.scheduler.sentBulk());
        assertEquals(0, b.pool.inUse());
        // 1 Mbit/s is 8 us a byte: each frame left no earlier than its predecessors' bytes allow
        for (int i = 1; i < b.link.count; i++) {
            long sentBefore = 0;
            for (int k = 0; k < i; k++) {
                sentBefore += b.link.lengths[k];
            }
            long earliest = (sentBefore + b.link.lengths[i] - MTU_FRAME) * 8_000;
            assertTrue(b.link.times[i] >= earliest, "frame " + i + " left at " + b.link.times[i]);
        }
    }

    /**
     * The burst allowed after idle is {@link Pacer#DEFAULT_BURST_BYTES} (one full 1500-byte
     * MTU frame): the largest bucket that keeps any 1 s window within rate + one frame, and
     * enough that a frame arriving on an idle link leaves at once.
     */
    @Test
    void idlePeriodsAccumulateNoCreditBeyondOneBurst() {
        long rate = 10_000_000;
        Bench b = new Bench(rate, 64, 512);
        saturate(b, SECOND, new SplittableRandom(7), true);
        b.scheduler.onShutdown(); // drop the backlog, then stay idle for 5 s
        long t0 = 6 * SECOND;
        b.clock.now = t0;
        int before = b.link.count;
        for (int i = 0; i < 400; i++) {
            assertTrue(b.offer(100, Disposition.TUNNEL, (byte) 0).isHandedOff());
        }
        assertEquals(15, b.scheduler.doWork(t0), "fifteen 100-byte frames fit 1514 bytes of burst");
        while (b.scheduler.nextWakeNanos() != Long.MAX_VALUE) {
            b.clock.now = b.scheduler.nextWakeNanos();
            assertTrue(b.scheduler.doWork(b.clock.now) > 0);
        }
        assertEquals(before + 400, b.link.count);
        long burstThenPaced = b.link.bytesBetween(t0, t0 + 20_000_000); // 20 ms: 25 000 bytes at the rate
        assertTrue(burstThenPaced <= 25_000 + MTU_FRAME, burstThenPaced + " bytes in 20 ms after idle");
        assertTrue(burstThenPaced >= 25_000 - 100, burstThenPaced + " bytes in 20 ms: paced at the rate");
        assertEquals(0, b.pool.inUse());
    }

    @Test
    void fullQueuesDropByReasonAndReleaseFreesTheRefusedSlots() {
        Bench b = new Bench(Pacer.MIN_RATE_BITS_PER_SECOND, 4, 8);
        for (int i = 0; i < 12; i++) {
            FrameEvent e = b.offer(1000, Disposition.TUNNEL, (byte) i);
            assertEquals(i >= 8, e.isDropped());
            assertEquals(i < 8, e.isHandedOff());
        }
        for (int i = 0; i < 6; i++) {
            FrameEvent e = b.offer(100, Disposition.HANDSHAKE, (byte) i);
            assertEquals(i >= 4, e.isDropped());
        }
        assertEquals(4, b.scheduler.drops(DropReason.BULK_QUEUE_FULL));
        assertEquals(2, b.scheduler.drops(DropReason.CRITICAL_QUEUE_FULL));
        assertEquals(4, b.release.drops(DropReason.BULK_QUEUE_FULL));
        assertEquals(2, b.release.drops(DropReason.CRITICAL_QUEUE_FULL));
        assertEquals(12, b.release.handedOff());
        assertEquals(0, b.release.slotless());
        assertEquals(12, b.pool.inUse(), "queued frames hold their slots");

        FrameEvent dropped = new FrameEvent().received(0, 0, 100, 0).drop(DropReason.AUTH_FAILED);
        b.scheduler.onEvent(dropped);
        assertEquals(18, b.scheduler.events(), "an already dropped frame is passed by");
        assertFalse(dropped.isHandedOff());

        b.scheduler.onShutdown();
        assertEquals(12, b.scheduler.drops(DropReason.SCHEDULER_DISCARDED));
        assertEquals(0, b.pool.inUse(), "shutdown frees the queued slots");
        assertEquals(Long.MAX_VALUE, b.scheduler.nextWakeNanos());
    }

    @Test
    void aRefusingLinkCostsTheFrameAndItsSlotComesBack() {
        Bench b = new Bench(100_000_000, 4, 4);
        b.link.refuse = true;
        assertTrue(b.offer(500, Disposition.TUNNEL, (byte) 1).isHandedOff());
        assertEquals(1, b.scheduler.doWork(0));
        assertEquals(1, b.scheduler.drops(DropReason.LINK_FULL));
        assertEquals(0, b.scheduler.bytes());
        assertEquals(0, b.pool.inUse());
        b.link.refuse = false;
        assertTrue(b.offer(1514, Disposition.TUNNEL, (byte) 2).isHandedOff());
        assertEquals(1, b.scheduler.doWork(0), "a refused frame is not charged to the pacer");
    }

    @Test
    void rateChangesAtRunTime() {
        Bench b = new Bench(100_000_000, 64, 64);
        SplittableRandom random = new SplittableRandom(42);
        saturate(b, 3 * SECOND, random, false);
        long cut = b.clock.now;
        b.scheduler.rate(10_000_000); // receiver feedback: the link carries less
        assertEquals(10_000_000, b.scheduler.rateBitsPerSecond());
        assertEquals(Long.MIN_VALUE, b.scheduler.nextWakeNanos(), "a rate change asks for a doWork");
        saturate(b, cut + 3 * SECOND, random, false);
        long raise = b.clock.now;
        b.scheduler.rate(20_000_000);
        saturate(b, raise + 3 * SECOND, random, false);

        assertTrue(b.link.maxWindowBytes(SECOND, 0, cut) <= 100_000_000 / 8 + MTU_FRAME);
        long slow = b.link.maxWindowBytes(SECOND, cut, raise);
        assertTrue(slow <= 10_000_000 / 8 + MTU_FRAME, "after the cut: " + slow);
        long fast = b.link.maxWindowBytes(SECOND, raise, Long.MAX_VALUE);
        assertTrue(fast <= 20_000_000 / 8 + MTU_FRAME, "after the raise: " + fast);
        long slowBytes = b.link.bytesBetween(cut, cut + 3 * SECOND);
        assertTrue(Math.abs(slowBytes - 3 * 10_000_000 / 8) < 3 * 10_000_000 / 8 / 100, "at 10 Mbit/s: " + slowBytes);
        long fastBytes = b.link.bytesBetween(raise, raise + 3 * SECOND);
        assertTrue(Math.abs(fastBytes - 3 * 20_000_000 / 8) < 3 * 20_000_000 / 8 / 100, "at 20 Mbit/s: " + fastBytes);
        b.scheduler.onShutdown();
        assertEquals(0, b.pool.inUse());
    }

    /** Allocation-free link for the allocation check. */
    static final class CountingLink implements LinkSender {
        long frames;

        @Override
        public boolean send(ByteBuffer buffer, int index, int length) {
            frames++;
            return true;
        }
    }

    @Test
    void steadyStateAllocatesNothingPerFrame() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        SlotPool pool = new SlotPool(256, SlotPool.DEFAULT_SLOT_BYTES);
        VirtualClock clock = new VirtualClock();
        CountingLink link = new CountingLink();
        Scheduler scheduler = new Scheduler(pool, link, new Pacer(), clock, 64, 128);
        Release release = new Release(pool, clock);
        FrameEvent event = new FrameEvent();
        long self = Thread.currentThread().getId();
        run(pool, clock, scheduler, release, event, 50_000); // JIT, class init
        long before = threads.getThreadAllocatedBytes(self);
        int frames = 200_000;
        run(pool, clock, scheduler, release, event, frames);
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        System.out.printf("scheduler: %d frames, %d bytes allocated%n", frames, allocated);
        assertEquals(250_000, link.frames + scheduler.criticalDepth() + scheduler.bulkDepth());
        // Per-frame allocation of even 8 bytes would show as 1 600 000 here.
        assertTrue(allocated < 8192, allocated + " bytes allocated over " + frames + " frames");
    }

    private static void run(SlotPool pool, VirtualClock clock, Scheduler scheduler, Release release,
            FrameEvent event, int frames) {
        for (int i = 0; i < frames; i++) {
            int slot = pool.alloc();
            event.received(slot, 0, 64 + (i * 37) % 1450, clock.now)
                    .disposition(i % 16 == 0 ? Disposition.CONTROL : Disposition.TUNNEL);
            scheduler.onEvent(event);
            release.onEvent(event);
            if (scheduler.doWork(clock.now) == 0 || scheduler.bulkDepth() > 64) {
                clock.now = Math.max(clock.now + 1, scheduler.nextWakeNanos());
                if (scheduler.doWork(clock.now) < 0) {
                    throw new AssertionError();
                }
            }
        }
    }
}
