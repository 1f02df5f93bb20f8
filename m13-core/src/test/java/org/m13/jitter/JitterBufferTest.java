package org.m13.jitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JitterBufferTest {
    private static final long MS = 1_000_000L;

    private static List<Integer> drain(JitterBuffer buffer, long now) {
        List<Integer> out = new ArrayList<>();
        for (int h = buffer.poll(now); h != JitterBuffer.NONE; h = buffer.poll(now)) {
            out.add(h);
        }
        return out;
    }

    @Test
    void inOrderPacketsPassWithoutDelay() {
        JitterBuffer buffer = new JitterBuffer(64, 10 * MS);
        for (int i = 0; i < 10; i++) {
            assertEquals(JitterBuffer.HELD, buffer.offer(100 + i, i, i * MS));
            assertEquals(List.of(i), drain(buffer, i * MS));
        }
        assertEquals(10, buffer.released());
        assertEquals(0, buffer.lost());
        assertEquals(Long.MAX_VALUE, buffer.nextDeadline());
    }

    @Test
    void restoresOrderWithinTheBound() {
        JitterBuffer buffer = new JitterBuffer(64, 10 * MS);
        assertEquals(JitterBuffer.HELD, buffer.offer(0, 0, 0));
        assertEquals(List.of(0), drain(buffer, 0));
        assertEquals(JitterBuffer.HELD, buffer.offer(2, 2, 1 * MS));
        assertEquals(JitterBuffer.HELD, buffer.offer(3, 3, 2 * MS));
        assertEquals(List.of(), drain(buffer, 2 * MS));
        assertEquals(11 * MS, buffer.nextDeadline());
        assertEquals(JitterBuffer.HELD, buffer.offer(1, 1, 3 * MS));
        assertEquals(List.of(1, 2, 3), drain(buffer, 3 * MS));
        assertEquals(0, buffer.lost());
    }

    @Test
    void givesUpAGapWhenTheOldestPacketBehindItIsDue() {
        JitterBuffer buffer = new JitterBuffer(64, 10 * MS);
        assertEquals(JitterBuffer.HELD, buffer.offer(0, 0, 0));
        assertEquals(JitterBuffer.HELD, buffer.offer(2, 2, 0));
        assertEquals(JitterBuffer.HELD, buffer.offer(4, 4, 5 * MS));
        assertEquals(List.of(0), drain(buffer, 10 * MS - 1));
        // 2 is due at 10 ms: position 1 is given up, 2 released; 4 waits for its own deadline.
        assertEquals(List.of(2), drain(buffer, 10 * MS));
        assertEquals(1, buffer.lost());
        assertEquals(15 * MS, buffer.nextDeadline());
        assertEquals(JitterBuffer.LATE, buffer.offer(1, 1, 11 * MS));
        assertEquals(List.of(4), drain(buffer, 15 * MS));
        assertEquals(2, buffer.lost());
        assertEquals(1, buffer.late());
    }

    @Test
    void skippedPositionsDoNotHoldPackets() {
        JitterBuffer buffer = new JitterBuffer(64, 10 * MS);
        assertEquals(JitterBuffer.HELD, buffer.offer(0, 0, 0));
        buffer.skip(1); // a repair frame shared the counter
        assertEquals(JitterBuffer.HELD, buffer.offer(2, 2, 0));
        assertEquals(List.of(0, 2), drain(buffer, 0));
        assertEquals(0, buffer.lost());
    }

    @Test
    void duplicatesAreRefusedAndNoRoomFlushesInOrder() {
        JitterBuffer buffer = new JitterBuffer(4, 1000 * MS);
        assertEquals(JitterBuffer.HELD, buffer.offer(1, 1, 0)); // first offer: next = 1
        assertEquals(List.of(1), drain(buffer, 0));
        assertEquals(JitterBuffer.HELD, buffer.offer(3, 3, 0));
        assertEquals(JitterBuffer.DUPLICATE, buffer.offer(3, 9, 0));
        assertEquals(1, buffer.duplicates());
        assertEquals(JitterBuffer.NO_ROOM, buffer.offer(9, 9, 0)); // ring spans 2..5
        // To fit 9 the ring must start at 6: 2 given up, 3 released, 4 and 5 given up.
        assertEquals(List.of(3), drain(buffer, 0));
        assertEquals(6, buffer.next());
        assertEquals(3, buffer.lost());
        assertEquals(JitterBuffer.HELD, buffer.offer(9, 9, 0));
    }

    /** 20 000 packets, 1 ms apart, 50 ms + 0..8 ms delay, 2 % lost, 5 ms bound. */
    @Test
    void neverHoldsAPacketPastItsBoundAndReleasesInOrder() {
        long delay = 5 * MS;
        JitterBuffer buffer = new JitterBuffer(1024, delay);
        Random random = new Random(99);
        List<long[]> arrivals = new ArrayList<>(); // {arrival time, seq}
        for (int seq = 0; seq < 20_000; seq++) {
            if (random.nextInt(50) != 0) {
                arrivals.add(new long[] {seq * MS + 50 * MS + random.nextInt(8_000_001), seq});
            }
        }
        arrivals.sort(Comparator.comparingLong(a -> a[0]));
        long[] arrivedAt = new long[20_000];
        long lastReleased = -1;
        int released = 0;
        int late = 0;
        long worst = 0;
        for (long[] a : arrivals) {
            long now = a[0];
            // The timer: poll at every deadline that comes before this arrival.
            for (long d = buffer.nextDeadline(); d <= now; d = buffer.nextDeadline()) {
                for (int h = buffer.poll(d); h != JitterBuffer.NONE; h = buffer.poll(d)) {
                    assertTrue(h > lastReleased, "out of order: " + h + " after " + lastReleased);
                    lastReleased = h;
                    worst = Math.max(worst, d - arrivedAt[h]);
                    released++;
                }
            }
            int seq = (int) a[1];
            arrivedAt[seq] = now;
            int result = buffer.offer(seq, seq, now);
            if (result == JitterBuffer.LATE) {
                late++;
                assertTrue(seq < lastReleased || seq < buffer.next());
                continue;
            }
            assertEquals(JitterBuffer.HELD, result);
            for (int h = buffer.poll(now); h != JitterBuffer.NONE; h = buffer.poll(now)) {
                assertTrue(h > lastReleased, "out of order: " + h + " after " + lastReleased);
                lastReleased = h;
                worst = Math.max(worst, now - arrivedAt[h]);
                released++;
            }
        }
        List<Integer> rest = drain(buffer, Long.MAX_VALUE / 2);
        released += rest.size();
        assertTrue(worst <= delay, "held " + worst + " ns");
        assertEquals(arrivals.size(), released + late);
        // 8 ms of spread against a 5 ms bound: some packets come too late, far fewer than arrive.
        assertTrue(late > 0 && late < arrivals.size() / 10, "late " + late);
        if (!rest.isEmpty()) {
            lastReleased = rest.get(rest.size() - 1);
        }
        assertEquals(lastReleased + 1, buffer.next());
        assertEquals(0, buffer.held());
    }

    @Test
    void delayFromJitterIsClamped() {
        assertEquals(5 * MS, JitterBuffer.delayFor(0));
        assertEquals(42 * MS, JitterBuffer.delayFor(10_000));
        assertEquals(200 * MS, JitterBuffer.delayFor(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new JitterBuffer(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new JitterBuffer(64, -1));
        JitterBuffer buffer = new JitterBuffer(64, 0);
        assertThrows(IllegalArgumentException.class, () -> buffer.offer(0, -1, 0));
        buffer.delay(JitterBuffer.delayFor(1000));
        assertEquals(6 * MS, buffer.delayNanos());
    }

    @Test
    void offerAndPollDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        JitterBuffer buffer = new JitterBuffer(256, 5 * MS);
        long sum = run(buffer, 0, 20_000); // warm up
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        sum += run(buffer, 20_000, 200_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(sum > 0);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 200 000 packets");
    }

    /** Pairs swapped, every 50th lost, every 7th position skipped, a poll after each offer. */
    private static long run(JitterBuffer buffer, long from, long count) {
        long sum = 0;
        for (long seq = from; seq < from + count; seq += 2) {
            long now = seq * MS / 10;
            for (int i = 1; i >= 0; i--) {
                long s = seq + i;
                if (s % 7 == 0) {
                    buffer.skip(s);
                } else if (s % 50 != 0) {
                    sum += buffer.offer(s, (int) (s & 0xFFFF), now);
                }
            }
            for (int h = buffer.poll(now); h != JitterBuffer.NONE; h = buffer.poll(now)) {
                sum += h;
            }
        }
        return sum;
    }

    @Test
    void inOrderPacketsPassWithoutBeingHeldAndSkippedPositionsDoNotStopThem() {
        JitterBuffer buffer = new JitterBuffer(64, 10 * MS);
        assertTrue(buffer.passThrough(100));
        assertTrue(buffer.passThrough(101));
        buffer.skip(102); // a repair's position
        buffer.skip(103);
        assertTrue(buffer.passThrough(104));
        assertEquals(false, buffer.passThrough(106)); // 105 missing: offer it
        assertEquals(JitterBuffer.HELD, buffer.offer(106, 6, 0));
        assertEquals(false, buffer.passThrough(106)); // held already: offer says DUPLICATE
        assertEquals(JitterBuffer.DUPLICATE, buffer.offer(106, 6, 0));
        assertTrue(buffer.passThrough(105)); // the gap fills (a rebuilt packet): deliver, then poll
        assertEquals(List.of(6), drain(buffer, 1 * MS));
        assertEquals(0, buffer.held());
        assertEquals(107, buffer.next());
        assertEquals(5, buffer.released());
        assertEquals(0, buffer.lost());
    }
}
