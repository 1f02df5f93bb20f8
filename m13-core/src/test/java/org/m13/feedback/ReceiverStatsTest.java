package org.m13.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ReceiverStatsTest {
    private static final long MS = 1_000_000L;

    @Test
    void reportLayoutGoldenBytes() {
        ByteBuffer b = ByteBuffer.allocate(FeedbackReport.BYTES);
        new FeedbackReport().wrap(b, 0).highestSeq(0x0102030405060708L).cumulativeLost(0xAABBCCDDL)
                .fractionLost(0x051E).meanBurst16(0x0018).jitterMicros(1234).receiveRate(12_500_000)
                .intervalMicros(100_000).packets(32).longestBurst(3);
        assertArrayEquals(HexFormat.of().parseHex(
                "0102030405060708" + "aabbccdd" + "051e" + "0018" + "000004d2" + "00bebc20" + "000186a0" + "0020" + "0003"),
                b.array());
        FeedbackReport r = new FeedbackReport().wrap(b, 0);
        assertEquals(0xAABBCCDDL, r.cumulativeLost());
        assertEquals(12_500_000, r.receiveRate());
        assertThrows(IndexOutOfBoundsException.class, () -> r.wrap(ByteBuffer.allocate(31), 0));
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
        // 4 lost (5 at arrival, one came late) over 3 loss events: late frames shorten the mean.
        assertEquals(4 * 16 / 3, r.meanBurst16());
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
        assertEquals(FeedbackReport.BYTES, stats.writeReport(ByteBuffer.allocate(32), 0, 1 * MS));
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
