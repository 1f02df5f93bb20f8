package org.m13.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReceiverStatsTest {
    private static final long MS = 1_000_000L;

    @Test
    void reportLayoutGoldenBytes() {
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        new FeedbackReport().wrap(b, 0).highestSeq(0x0102030405060708L).cumulativeLost(0xAABBCCDDL)
                .fractionLost(0x051E).meanBurst16(0x0018).jitterMicros(1234).receiveRate(12_500_000)
                .intervalMicros(100_000).packets(32).longestBurst(3).queueDelayMicros(25_000).echoMicros(0xFEDCBA98);
        assertArrayEquals(HexFormat.of().parseHex(
                "0102030405060708" + "aabbccdd" + "051e" + "0018" + "000004d2" + "00bebc20" + "000186a0" + "0020" + "0003"
                + "000061a8" + "fedcba98"),
                b.array());
        FeedbackReport r = new FeedbackReport().wrap(b, 0);
        assertEquals(0xAABBCCDDL, r.cumulativeLost());
        assertEquals(12_500_000, r.receiveRate());
        assertEquals(25_000, r.queueDelayMicros());
        assertEquals(0xFEDCBA98, r.echoMicros());
        assertThrows(IndexOutOfBoundsException.class, () -> r.wrap(ByteBuffer.allocate(FeedbackReport.BYTES - 1), 0));
    }

    @Test
    void countsLossBurstsAndLateFramesPerInterval() {
        ReceiverStats stats = new ReceiverStats(0);
        long now = 0;
        // 100 frames, seq 1000..1099, with 1002 lost, 1010..1012 lost (burst 3), 1020 late (after 1021).
        for (long seq = 1000; seq < 1100; seq++) {
            if (seq == 1002 || (seq >= 1010 && seq <= 1012) || seq == 1020) {
                continue;
            }
            // Transit alternates 5.0 / 5.8 ms: |D| = 800 us between most neighbours.
            stats.onPacket(seq, 1000, (int) (seq * 1000), (int) (seq * 1000 + 5000 + (seq % 2) * 800));
            if (seq == 1021) {
                stats.onPacket(1020, 1000, 1_020_000, 1_026_000);
            }
        }
        assertEquals(1099, stats.highest());
        assertEquals(4, stats.cumulativeLost());
        ByteBuffer b = ByteBuffer.allocate(64);
        now += 100 * MS;
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 16, now));
        FeedbackReport r = new FeedbackReport().wrap(b, 16);
        assertEquals(1099, r.highestSeq());
        assertEquals(4, r.cumulativeLost());
        assertEquals((4L << 16) / 100, r.fractionLost()); // 4 of the 100 expected
        // 4 lost over 2 loss events (1002; 1010..1012): the late 1020 arrived within the
        // reorder window, so it is neither a loss nor a loss event.
        assertEquals(4 * 16 / 2, r.meanBurst16());
        assertEquals(3, r.longestBurst());
        assertEquals(96, r.packets());
        assertEquals(96_000 * 10, r.receiveRate()); // 96 000 bytes in 0.1 s
        assertEquals(100_000, r.intervalMicros());
        // The estimator converges towards the mean |D| of 800 us.
        assertTrue(r.jitterMicros() > 600 && r.jitterMicros() <= 800, "jitter " + r.jitterMicros());

        // Next interval: no loss.
        for (long seq = 1100; seq < 1132; seq++) {
            stats.onPacket(seq, 100, (int) (seq * 1000), (int) (seq * 1000 + 5000));
        }
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, now + 10 * MS));
        r.wrap(b, 0);
        assertEquals(0, r.fractionLost());
        assertEquals(0, r.meanBurst16());
        assertEquals(4, r.cumulativeLost());
        assertEquals(32, r.packets());
    }

    /** Frames 0..n-1 with each block of 8 sent reversed: reordered up to 7 places, none lost. */
    @Test
    void aReorderedButCompleteStreamReportsNoLoss() {
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        FeedbackReport r = new FeedbackReport();
        long expected = 0;
        int reports = 0;
        for (long block = 0; block < 1000; block++) {
            for (long i = 7; i >= 0; i--) {
                stats.onPacket(block * 8 + i, 100, 0, 0);
                if (stats.reportDue(0)) {
                    assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, MS));
                    r.wrap(b, 0);
                    assertEquals(0, r.fractionLost(), "report " + reports);
                    assertEquals(0, r.cumulativeLost(), "report " + reports);
                    assertEquals(0, r.meanBurst16());
                    assertEquals(0, r.longestBurst());
                    reports++;
                }
                expected++;
            }
        }
        assertEquals(expected / ReceiverStats.REPORT_EVERY_PACKETS, reports);
        assertEquals(7999, stats.highest());
        assertEquals(0, stats.cumulativeLost());
    }

    /** Reordering across a report boundary: the early gap is not reported, the late frame not cancelled. */
    @Test
    void aGapFilledAfterTheReportIsNotLoss() {
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        FeedbackReport r = new FeedbackReport();
        for (long seq = 0; seq < 200; seq++) {
            if (seq != 30) {
                stats.onPacket(seq, 100, 0, 0);
            }
            if (seq == 40) {
                stats.onPacket(30, 100, 0, 0); // ten places late, in the next interval
            }
            if (stats.reportDue(0)) {
                assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, MS));
                assertEquals(0, r.wrap(b, 0).fractionLost());
                assertEquals(0, r.cumulativeLost());
            }
        }
        assertEquals(0, stats.cumulativeLost());
    }

    /** Real losses on a reordering stream: each counted once, exactly, with the right bursts. */
    @Test
    void realLossesAmongReorderedFramesAreCountedExactly() {
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        FeedbackReport r = new FeedbackReport();
        SplittableRandom random = new SplittableRandom(7);
        long n = 100_000;
        boolean[] lost = new boolean[(int) n];
        long lostCount = 0;
        for (int i = 20; i < n; i++) { // the first frames arrive first whatever the reordering
            if (random.nextInt(100) < 2) {
                int burst = 1 + random.nextInt(3);
                for (int j = i; j < Math.min(n - ReceiverStats.REORDER_WINDOW, i + burst); j++) {
                    lost[j] = true;
                    lostCount++;
                }
                i += burst;
            }
        }
        // Arrival order: each frame delayed by 0..9 places (a sort on seq + random jitter).
        long[] keys = new long[(int) n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) i + random.nextInt(10)) << 20 | i;
        }
        Arrays.sort(keys);
        long lastCumulative = 0;
        long reportsWithLoss = 0;
        for (long key : keys) {
            int seq = (int) (key & 0xFFFFF);
            if (lost[seq]) {
                continue;
            }
            stats.onPacket(seq, 100, 0, 0);
            if (stats.reportDue(0)) {
                assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, MS));
                r.wrap(b, 0);
                assertTrue(r.cumulativeLost() >= lastCumulative, "cumulative loss never goes back");
                lastCumulative = r.cumulativeLost();
                reportsWithLoss += r.fractionLost() == 0 ? 0 : 1;
            }
        }
        assertEquals(lostCount, stats.cumulativeLost(), "every loss counted once, no reordering counted");
        assertTrue(reportsWithLoss > 0);
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, MS));
        assertEquals(lostCount, r.wrap(b, 0).cumulativeLost());
    }

    @Test
    void burstsAreCountedWhenTheyLeaveTheWindow() {
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        // 0..99 with 10..12 lost and 20 lost, 21 late behind 22; then a jump of 1000 (all lost).
        for (long seq = 0; seq < 100; seq++) {
            if ((seq >= 10 && seq <= 12) || seq == 20 || seq == 21) {
                continue;
            }
            stats.onPacket(seq, 100, 0, 0);
            if (seq == 22) {
                stats.onPacket(21, 100, 0, 0);
            }
        }
        assertEquals(4, stats.cumulativeLost(), "10..12 and 20 left the window; 21 arrived within it");
        stats.onPacket(1100, 100, 0, 0); // 100..1099 lost: one burst of 1000
        assertEquals(4 + 1000 - (ReceiverStats.REORDER_WINDOW - 1), stats.cumulativeLost(),
                "the last 63 of the burst are still within the window");
        stats.onPacket(1100 + ReceiverStats.REORDER_WINDOW, 100, 0, 0); // pushes the whole burst out
        assertEquals(1004, stats.cumulativeLost());
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, MS));
        FeedbackReport r = new FeedbackReport().wrap(b, 0);
        assertEquals(1004, r.cumulativeLost());
        assertEquals(1000, r.longestBurst());
        assertEquals(1004 * 16 / 3, r.meanBurst16()); // events 10..12, 20, 100..1099
        assertEquals(ReceiverStats.fraction(1004, 1165), r.fractionLost()); // 0..1164 expected
    }

    @Test
    void queueDelayIsTheIntervalsSmallestTransitAboveTheRecentSmallest() {
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        FeedbackReport r = new FeedbackReport();
        int offset = 0x7FFF_0000; // the clocks differ by an unknown offset, and wrap
        // 1 s at transit 150 ms, one frame per ms: the base.
        for (int ms = 0; ms < 1000; ms++) {
            stats.onPacket(ms, 1000, ms * 1000, offset + ms * 1000 + 150_000);
        }
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, 1000 * MS));
        assertEquals(0, r.wrap(b, 0).queueDelayMicros());
        assertEquals(999_000, r.echoMicros());
        // A queue builds: transit 150 ms + 1 ms for every 10 frames; the interval's smallest is 40 ms above.
        for (int i = 0; i < 100; i++) {
            int ms = 1000 + i;
            stats.onPacket(ms, 1000, ms * 1000, offset + ms * 1000 + 150_000 + 40_000 + i * 100);
        }
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, 1100 * MS));
        assertEquals(40_000, r.wrap(b, 0).queueDelayMicros());
        assertEquals(1_099_000, r.echoMicros());
        // The base ages out: 10 s at transit 190 ms become the new normal (a longer route).
        for (int i = 0; i < 10_000; i++) {
            int ms = 1100 + i;
            stats.onPacket(ms, 1000, ms * 1000, offset + ms * 1000 + 190_000);
        }
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, 11_100 * MS));
        assertEquals(0, r.wrap(b, 0).queueDelayMicros());
        assertEquals(FeedbackReport.BYTES, stats.writeReport(b, 0, 11_200 * MS)); // an interval without frames
        assertEquals(0, r.wrap(b, 0).queueDelayMicros());
    }

    @Test
    void reportIsDueEvery32PacketsOrEvery100MsWhileTrafficFlows() {
        ReceiverStats stats = new ReceiverStats(0);
        assertEquals(false, stats.reportDue(10_000 * MS)); // no traffic, no report
        for (int i = 0; i < 31; i++) {
            stats.onPacket(i, 100, 0, 0);
        }
        assertEquals(false, stats.reportDue(99 * MS));
        assertEquals(true, stats.reportDue(100 * MS));
        stats.onPacket(31, 100, 0, 0);
        assertEquals(true, stats.reportDue(1 * MS));
        assertEquals(FeedbackReport.BYTES, stats.writeReport(ByteBuffer.allocate(FeedbackReport.BYTES), 0, 1 * MS));
        assertEquals(false, stats.reportDue(1000 * MS));
        stats.onPacket(32, 100, 0, 0);
        assertEquals(false, stats.reportDue(100 * MS));
        assertEquals(true, stats.reportDue(101 * MS));
    }

    @Test
    void fractionSaturates() {
        assertEquals(0, ReceiverStats.fraction(0, 10));
        assertEquals(0, ReceiverStats.fraction(-3, 10));
        assertEquals(0x8000, ReceiverStats.fraction(5, 10));
        assertEquals(0xFFFF, ReceiverStats.fraction(10, 10));
        assertEquals(6, ReceiverStats.fraction(1, 10_000)); // 0.01 % is 6.55 / 65536: resolvable
    }

    @Test
    void countingAndReportingDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        ReceiverStats stats = new ReceiverStats(0);
        ByteBuffer report = ByteBuffer.allocateDirect(FeedbackReport.BYTES);
        int reports = run(stats, report, 0, 20_000); // warm up
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        reports += run(stats, report, 20_000, 200_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(reports > 200_000 / 32);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 200 000 packets");
    }

    private static int run(ReceiverStats stats, ByteBuffer report, long from, long count) {
        int reports = 0;
        for (long seq = from; seq < from + count; seq++) {
            if (seq % 40 != 0) {
                stats.onPacket(seq, 1400, (int) (seq * 100), (int) (seq * 100 + 3000 + seq % 3));
            }
            long now = seq * 100_000;
            if (stats.reportDue(now)) {
                reports += stats.writeReport(report, 0, now) == FeedbackReport.BYTES ? 1 : 0;
            }
        }
        return reports;
    }
}
