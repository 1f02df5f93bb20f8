package org.m13.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.m13.feedback.FeedbackReport;

/**
 * The TUN reader's pacer never lets frames out faster than its rate: after the burst,
 * n bytes take at least n / rate (a lower bound on elapsed time, which a slow machine
 * only lengthens, so it cannot fail by load).
 */
class LinkPacerTest {
    @Test
    void framesNeverLeaveFasterThanTheRateAfterTheBurst() {
        LinkPacer pacer = new LinkPacer(2, 8_000_000L); // 1 MB/s
        int frame = 1458; // + 42 outer bytes = 1500 on the wire
        int frames = 200;
        long start = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            pacer.admit(1, frame);
        }
        long elapsed = System.nanoTime() - start;
        long wireBytes = (long) frames * (frame + LinkPacer.WIRE_OVERHEAD);
        long minimum = (wireBytes - LinkPacer.BURST_BYTES) * 1_000_000_000L / 1_000_000L;
        assertTrue(elapsed >= minimum, "took " + elapsed / 1e6 + " ms for " + wireBytes + " bytes at 1 MB/s, at least "
                + minimum / 1e6 + " ms expected");
        // how many waited depends on how late each wake-up was (a late one lets the next leave at once)
        assertTrue(pacer.paced() > 0 && pacer.waitedNanos() > 0, "frames past the burst waited");
    }

    @Test
    void eachPeerHasItsOwnRate() {
        LinkPacer pacer = new LinkPacer(2, 8_000_000L);
        for (int i = 0; i < 16; i++) { // one burst's worth to peer 0
            pacer.admit(0, 1472);
        }
        long waitedBefore = pacer.paced();
        pacer.admit(1, 1472); // peer 1's bucket is full: no wait
        assertEquals(waitedBefore, pacer.paced());
    }

    @Test
    void aReportOfAStandingQueueSlowsThatPeerOnly() {
        LinkPacer pacer = new LinkPacer(2, 40_000_000L);
        FeedbackReport report = new FeedbackReport().wrap(ByteBuffer.allocate(FeedbackReport.BYTES), 0)
                .receiveRate(2_000_000).intervalMicros(100_000).packets(137).queueDelayMicros(50_000)
                .jitterMicros(100).echoMicros(0);
        long now = System.nanoTime();
        pacer.onReport(1, report, now);
        assertEquals(40_000_000L, pacer.rate(1), "one report of a queue: not standing yet");
        pacer.onReport(1, report, now + 100_000_000L);
        // Standing 100 ms: 2 MB/s of frames + 137 x 42 outer bytes per 100 ms arrived; 90 % of it.
        long arriving = (2_000_000L + 137 * 42 * 10) * 8;
        assertEquals(arriving / 100 * 90, pacer.rate(1));
        assertEquals(40_000_000L, pacer.rate(0));
        assertEquals(1, pacer.cuts());
        // The reader applies it: 100 frames of 1500 wire bytes take at least (bytes - burst) / rate.
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            pacer.admit(1, 1458);
        }
        long elapsed = System.nanoTime() - start;
        long minimum = (100 * 1500L - LinkPacer.BURST_BYTES) * 8_000_000_000L / pacer.rate(1);
        assertTrue(elapsed >= minimum, "took " + elapsed / 1e6 + " ms, at least " + minimum / 1e6 + " expected");
    }
}
