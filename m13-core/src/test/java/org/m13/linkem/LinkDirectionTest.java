package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Delay, jitter, order, rate and queue limit of one direction, with injected time. */
@Timeout(30)
class LinkDirectionTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void fixedDelayIsExact() {
        LinkDirection link = new LinkDirection(LinkParams.CLEAN.withDelay(150 * MS, 0), Seeds.derive(1)[0]);
        for (long t = 0; t < 1000 * MS; t += 7 * MS) {
            assertEquals(Verdict.FORWARD, link.admit(t, 1000, Verdict.FORWARD));
            assertEquals(t + 150 * MS, link.departure());
        }
    }

    @Test
    void jitterIsBoundedAndKeepsOrderByDefault() {
        LinkDirection link = new LinkDirection(LinkParams.CLEAN.withDelay(20 * MS, 5 * MS), Seeds.derive(2)[0]);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 100_000; i++) {
            long t = i * 100_000L; // 10 kpps: jitter would reorder if it could
            assertEquals(Verdict.FORWARD, link.admit(t, 100, Verdict.FORWARD));
            long d = link.departure();
            assertTrue(d >= previous, "frame " + i + " overtook");
            assertTrue(d >= t + 15 * MS && d <= t + 25 * MS, "frame " + i + " delay " + (d - t));
            previous = d;
        }
    }

    @Test
    void jitterWithReorderingIsUniformAndBounded() {
        LinkParams params = LinkParams.CLEAN.withDelay(20 * MS, 5 * MS).withReorder(true);
        LinkDirection link = new LinkDirection(params, Seeds.derive(3)[0]);
        long previous = Long.MIN_VALUE;
        int overtaken = 0;
        double sum = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            long t = i * 100_000L;
            assertEquals(Verdict.FORWARD, link.admit(t, 100, Verdict.FORWARD));
            long delay = link.departure() - t;
            assertTrue(delay >= 15 * MS && delay <= 25 * MS, "delay " + delay);
            sum += delay;
            overtaken += link.departure() < previous ? 1 : 0;
            previous = Math.max(previous, link.departure());
        }
        assertEquals(20 * MS, sum / n, 0.05 * MS, "uniform jitter has mean 0");
        assertTrue(overtaken > n / 10, "reordered frames: " + overtaken);
    }

    /** Over every 1 s window of departures, bytes sent never exceed rate·1 s by more than one frame. */
    @Test
    void rateLimiterNeverExceedsTheRateOverAnyOneSecondWindowBeyondOneFrame() {
        long rate = 10_000_000L;
        LinkDirection link = new LinkDirection(LinkParams.CLEAN.withDelay(30 * MS, 0).withRate(rate, 1000),
                Seeds.derive(4)[0]);
        SplittableRandom random = new SplittableRandom(5);
        List<long[]> departures = new ArrayList<>();
        long t = 0;
        int maxFrame = 1514;
        long offered = 0;
        while (t < 10 * SECOND) {
            int bytes = random.nextInt(60, maxFrame + 1);
            offered += bytes;
            if (link.admit(t, bytes, Verdict.FORWARD) == Verdict.FORWARD) {
                departures.add(new long[] {link.departure(), bytes});
            }
            // Offered load about 1.5 x the rate, in bursts of back-to-back frames.
            t += random.nextInt(8) == 0 ? random.nextLong(0, 6 * MS) : 0;
        }
        assertTrue(offered * 8 > 12 * rate, "offered " + offered * 8 / 10 + " bit/s");
        assertTrue(link.counters().get(Counter.QUEUE_FULL) > 0, "overload must overflow the queue");
        long limit = rate / 8 + maxFrame;
        long inWindow = 0;
        int start = 0;
        long busiest = 0;
        for (int end = 0; end < departures.size(); end++) {
            inWindow += departures.get(end)[1];
            while (departures.get(start)[0] <= departures.get(end)[0] - SECOND) {
                inWindow -= departures.get(start)[1];
                start++;
            }
            busiest = Math.max(busiest, inWindow);
            assertTrue(inWindow <= limit, "window ending " + departures.get(end)[0] + ": " + inWindow + " bytes");
        }
        // And the link was kept busy: within one frame of the rate.
        assertTrue(busiest >= rate / 8 - maxFrame, "busiest second " + busiest + " bytes");
    }

    @Test
    void queueLimitDropsTailAndCounts() {
        long rate = 1_000_000L; // 1000-byte frame: 8 ms each
        LinkDirection link = new LinkDirection(LinkParams.CLEAN.withRate(rate, 10), Seeds.derive(6)[0]);
        int forwarded = 0;
        for (int i = 0; i < 100; i++) {
            forwarded += link.admit(0, 1000, Verdict.FORWARD) == Verdict.FORWARD ? 1 : 0;
        }
        assertEquals(10, forwarded);
        assertEquals(90, link.counters().get(Counter.QUEUE_FULL));
        assertEquals(100, link.counters().get(Counter.RECEIVED));
        assertEquals(80 * MS, link.departure(), "the tenth frame's last bit leaves at 80 ms");
        // After two frame times, two places are free again.
        assertEquals(Verdict.FORWARD, link.admit(16 * MS, 1000, Verdict.FORWARD));
        assertEquals(Verdict.FORWARD, link.admit(16 * MS, 1000, Verdict.FORWARD));
        assertEquals(Verdict.QUEUE_FULL, link.admit(16 * MS, 1000, Verdict.FORWARD));
        assertEquals(91, link.counters().get(Counter.QUEUE_FULL));
        assertEquals(91, link.counters().dropped());
    }

    @Test
    void unstorableFramesAreCountedAfterTheLossDraws() {
        LinkParams params = LinkParams.CLEAN.withLoss(0.5);
        LinkDirection a = new LinkDirection(params, Seeds.derive(9)[0]);
        LinkDirection b = new LinkDirection(params, Seeds.derive(9)[0]);
        int forwarded = 0;
        for (int i = 0; i < 1000; i++) {
            Verdict storage = i % 10 == 0 ? Verdict.NO_SLOT : i % 10 == 5 ? Verdict.OVERSIZE : Verdict.FORWARD;
            Verdict va = a.admit(i, 100, storage);
            Verdict vb = b.admit(i, 100, Verdict.FORWARD);
            // The slot shortage never shifts the loss pattern of later frames.
            assertEquals(vb == Verdict.LOST_RANDOM, va == Verdict.LOST_RANDOM, "frame " + i);
            forwarded += va == Verdict.FORWARD ? 1 : 0;
        }
        assertEquals(1000, a.counters().get(Counter.RECEIVED));
        assertEquals(1000 - forwarded, a.counters().dropped());
        assertTrue(a.counters().get(Counter.NO_SLOT) > 30 && a.counters().get(Counter.OVERSIZE) > 30);
    }
}
