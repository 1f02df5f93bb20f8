package org.m13.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import java.util.ArrayDeque;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

class RateFollowerTest {
    private static final long MBIT = 1_000_000L;

    /**
     * A fluid model of the path, 1 ms steps: the sender paces min(rate, demand) into a
     * bottleneck of {@code capacity} bit/s with a drop-tail queue of 1000 full frames,
     * then {@code oneWayMs} to the receiver, which loses {@code lossPercent} at random
     * (after the queue, like a radio link) and reports every 10 ms what arrived, the
     * smallest queue delay and the send time of the last arrival; reports take
     * {@code oneWayMs} back.
     */
    private static final class Path {
        final RateFollower follower;
        final int oneWayMs;
        final double lossFraction;
        LongUnaryOperator capacityAt = t -> 20 * MBIT;
        long demand = Long.MAX_VALUE;
        double queueBits;
        final double limitBits = 1000 * 1514 * 8.0;
        double droppedBits;
        double sentBits;
        double maxQueueMs;
        /** Per step at the receiver: {arrival ms, bits, queue delay ms, send time ms}. */
        final ArrayDeque<double[]> toReceiver = new ArrayDeque<>();
        /** {arrival ms at sender, arriving bit/s, queue delay us, echo ms}. */
        final ArrayDeque<double[]> toSender = new ArrayDeque<>();
        double windowBits;
        double windowMinDelay = Double.MAX_VALUE;
        double windowLastSend;
        long windowStart;
        boolean heldSinceChange;
        long lastRate;

        Path(long ceiling, int oneWayMs, double lossPercent) {
            follower = new RateFollower(ceiling);
            this.oneWayMs = oneWayMs;
            this.lossFraction = lossPercent / 100;
            lastRate = follower.rate();
        }

        /** Runs from {@code fromMs} to {@code toMs}; returns the bits the sender sent in it. */
        @CanIgnoreReturnValue
        double run(long fromMs, long toMs) {
            double sentBefore = sentBits;
            for (long t = fromMs; t < toMs; t++) {
                step(t);
            }
            return sentBits - sentBefore;
        }

        private void step(long t) {
            long rate = follower.rate();
            if (rate != lastRate) {
                heldSinceChange = false;
                lastRate = rate;
            }
            heldSinceChange |= demand > rate;
            double in = Math.min(rate, demand) / 1000.0;
            sentBits += in;
            queueBits += in;
            if (queueBits > limitBits) {
                droppedBits += queueBits - limitBits;
                queueBits = limitBits;
            }
            double capacity = capacityAt.applyAsLong(t);
            double out = Math.min(queueBits, capacity / 1000.0);
            queueBits -= out;
            double delayMs = queueBits / capacity * 1000;
            maxQueueMs = Math.max(maxQueueMs, delayMs);
            if (out > 0) {
                toReceiver.add(new double[] {t + oneWayMs, out * (1 - lossFraction), delayMs, t - delayMs});
            }
            while (!toReceiver.isEmpty() && toReceiver.peek()[0] <= t) {
                double[] a = toReceiver.poll();
                windowBits += a[1];
                windowMinDelay = Math.min(windowMinDelay, a[2]);
                windowLastSend = a[3];
            }
            if (t - windowStart >= 10 && windowBits > 0) {
                double arriving = windowBits * 1000 / (t - windowStart);
                toSender.add(new double[] {t + oneWayMs, arriving, windowMinDelay * 1000, windowLastSend});
                windowStart = t;
                windowBits = 0;
                windowMinDelay = Double.MAX_VALUE;
            }
            while (!toSender.isEmpty() && toSender.peek()[0] <= t) {
                double[] r = toSender.poll();
                var unusedRate = follower.onReport((long) r[1], (long) r[2], 0, (int) (r[3] * 1000), (int) (t * 1000),
                        heldSinceChange);
            }
        }

        double mbitPerSecond(double bits, long ms) {
            return bits / ms / 1000;
        }
    }

    @Test
    void findsABottleneckBelowTheCeilingWithoutFillingItsQueue() {
        Path path = new Path(40 * MBIT, 150, 2);
        path.run(0, 10_000);
        double dropsAfterStart = path.droppedBits;
        path.maxQueueMs = 0;
        double rate = path.mbitPerSecond(path.run(10_000, 30_000), 20_000);
        assertTrue(rate > 17 && rate <= 20.5, "sent " + rate + " Mbit/s into 20");
        assertEquals(dropsAfterStart, path.droppedBits, "queue drops after the first 10 s");
        assertTrue(path.maxQueueMs < 100, "queue up to " + path.maxQueueMs + " ms");
        assertTrue(path.follower.cuts() > 0 && path.follower.raises() > 0);
    }

    @Test
    void followsTheLinkDownAndBackUp() {
        Path path = new Path(40 * MBIT, 150, 1);
        path.capacityAt = t -> t < 20_000 || t >= 40_000 ? 30 * MBIT : 5 * MBIT; // rain fade 20..40 s
        path.run(0, 20_000);
        double faded = path.mbitPerSecond(path.run(20_000, 40_000), 20_000);
        assertTrue(faded > 3.5 && faded < 6.5, "sent " + faded + " Mbit/s into 5");
        assertTrue(path.follower.rate() <= 6 * MBIT, "rate " + path.follower.rate());
        path.run(40_000, 50_000); // 10 s to find the recovered link
        double recovered = path.mbitPerSecond(path.run(50_000, 60_000), 10_000);
        assertTrue(recovered > 25 && recovered <= 30.5, "sent " + recovered + " Mbit/s into 30");
    }

    @Test
    void randomLossWithoutAQueueKeepsTheCeiling() {
        Path path = new Path(20 * MBIT, 300, 10); // the link is as fast as the ceiling and loses 10 %
        path.capacityAt = t -> 21 * MBIT;
        path.run(0, 20_000);
        assertEquals(20 * MBIT, path.follower.rate());
        assertEquals(0, path.follower.cuts());
        assertEquals(0.0, path.droppedBits);
    }

    @Test
    void aSenderBelowTheRateIsNotRaised() {
        Path path = new Path(40 * MBIT, 50, 0);
        path.run(0, 10_000); // finds the 20 Mbit/s link
        long found = path.follower.rate();
        assertTrue(found < 24 * MBIT, "rate " + found);
        path.demand = 2 * MBIT; // then the application sends little
        path.run(10_000, 11_000); // (what the pacer held before counts once)
        long raises = path.follower.raises();
        path.run(11_000, 20_000);
        assertEquals(raises, path.follower.raises());
        assertTrue(path.follower.rate() <= found + found / 10, "rate " + path.follower.rate());
    }

    @Test
    void judgesAChangeOnlyByFramesSentAfterIt() {
        RateFollower f = new RateFollower(20 * MBIT);
        assertEquals(20 * MBIT, f.onReport(10 * MBIT, 50_000, 0, 0, 0, true)); // a queue, not standing yet
        assertEquals(20 * MBIT, f.onReport(11 * MBIT, 50_000, 0, 50_000, 60_000, true));
        // Standing for 100 ms: 90 % of the most that arrived meanwhile.
        assertEquals(11 * MBIT / 100 * 90, f.onReport(10 * MBIT, 50_000, 0, 90_000, 100_000, true));
        long cutRate = f.rate();
        // Reports about frames sent before the cut (echo < 100 000) show the old queue: ignored.
        assertEquals(cutRate, f.onReport(4 * MBIT, 80_000, 0, 99_000, 250_000, true));
        // Frames after the cut, no queue, pacer held frames: raised gently (near the known capacity).
        long raised = f.onReport(8 * MBIT, 0, 0, 101_000, 300_000, true);
        assertEquals(cutRate + cutRate / 100 * 5, raised);
        // Jitter widens what counts as a queue: 9 ms of delay with 3 ms jitter is noise.
        assertEquals(raised, f.onReport(8 * MBIT, 9_000, 3_000, 300_050, 300_100, false));
        assertEquals(1, f.cuts());
        // The floor: a collapsed arrival rate never paces below ceiling / 64.
        RateFollower g = new RateFollower(64 * MBIT);
        var unusedFirst = g.onReport(1000, 1_000_000, 0, 0, 0, true);
        assertEquals(MBIT, g.onReport(1000, 1_000_000, 0, 0, 200_000, true));
        assertThrows(IllegalArgumentException.class, () -> new RateFollower(1000));
    }

    @Test
    void aStallShorterThanARoundIsNotAQueue() {
        RateFollower f = new RateFollower(20 * MBIT);
        for (int t = 0; t < 90_000; t += 5_000) { // 90 ms of reports delayed by 60 ms: a stalled thread
            assertEquals(20 * MBIT, f.onReport(19 * MBIT, 60_000, 0, t, t, true));
        }
        assertEquals(20 * MBIT, f.onReport(19 * MBIT, 0, 0, 95_000, 95_000, true));
        for (int t = 100_000; t < 190_000; t += 5_000) {
            assertEquals(20 * MBIT, f.onReport(19 * MBIT, 60_000, 0, t, t, true));
        }
        assertEquals(0, f.cuts());
    }
}
