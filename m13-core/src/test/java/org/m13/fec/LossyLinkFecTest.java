package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.m13.feedback.FeedbackReport;
import org.m13.feedback.ReceiverStats;
import org.m13.jitter.JitterBuffer;
import org.m13.linkem.BernoulliLoss;
import org.m13.linkem.GilbertElliott;
import org.m13.linkem.GilbertElliottLoss;
import org.junit.jupiter.api.Test;

/**
 * The FEC loop over a seeded in-memory lossy link, on virtual time: tunnel packets go
 * through {@link FecEncoder} (k and m from {@link FecPolicy}), a link that loses frames
 * (Bernoulli or Gilbert–Elliott) and delays them by 20 ms (in order, or with 0..1 ms
 * of uniform jitter, which reorders frames up to ten places), then {@link FecReceiver}
 * and a {@link JitterBuffer} (10 ms bound), which restores the order that recovery
 * (and link jitter) upsets; the receiver's {@link ReceiverStats} report goes back to
 * the policy every 32 frames, 20 ms later. Frames leave every 100 us.
 *
 * <p>Residual loss = tunnel packets never delivered (neither received, recovered nor
 * delivered late) / packets sent. Every delivered packet is checked byte for byte.
 */
class LossyLinkFecTest {
    private static final int PACKETS = 200_000;
    private static final long FRAME_INTERVAL_NANOS = 100_000; // 10 000 frames/s
    private static final long ONE_WAY_NANOS = 20_000_000;
    private static final long LINK_JITTER_NANOS = 1_000_000;
    private static final long JITTER_BOUND_NANOS = 10_000_000;
    private static final int MAX_K = 16;

    /** A loss model, one decision per frame. */
    interface Loss {
        boolean lose();
    }

    /** What a run measured. */
    record Result(String name, long packets, long frames, long linkLost, long sources, long repairs,
            long undelivered, long late, long maxHoldNanos, int finalK, int finalM, long repairsInTail,
            long sourcesInTail, long failedGenerations, long beyondRepair) {
        double linkLoss() {
            return (double) linkLost / frames;
        }

        double residual() {
            return (double) undelivered / packets;
        }

        double overhead() {
            return (double) repairs / sources;
        }

        @Override
        public String toString() {
            return String.format("%s: link loss %.3f %%, residual %.5f %% (%d of %d), repair overhead %.1f %%, "
                    + "final k %d m %d, late %d, longest hold %.2f ms, %d generations beyond repair", name, 100 * linkLoss(), 100 * residual(),
                    undelivered, packets, 100 * overhead(), finalK, finalM, late, maxHoldNanos / 1e6, failedGenerations);
        }
    }

    /** The sender, the link and the receiver; one run. */
    static final class Run {
        private static final int RING = 1 << 12;
        final FecEncoder encoder = new FecEncoder(Fec.MAX_SYMBOL_BYTES);
        final FecPolicy policy = new FecPolicy(FecPolicy.DEFAULT_TARGET, MAX_K);
        final FecReceiver receiver = new FecReceiver(4, Fec.MAX_SYMBOL_BYTES);
        final ReceiverStats stats = new ReceiverStats(0);
        final JitterBuffer jitter = new JitterBuffer(1024, JITTER_BOUND_NANOS);
        final ByteBuffer[] inFlight = new ByteBuffer[RING];
        final int[] inFlightLength = new int[RING];
        final long[] inFlightSent = new long[RING];
        /** In-order link: link seqs of the frames in flight (arrival = sent + one way). */
        final long[] fifo = new long[RING];
        long fifoHead;
        long fifoTail;
        /** Reordering link: {arrival nanos, link seq}. */
        final PriorityQueue<long[]> arrivals = new PriorityQueue<>((a, b) -> a[0] != b[0]
                ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        /** Reports on their way back: {arrival nanos, fraction lost, mean burst x 16}. */
        final ArrayDeque<long[]> reports = new ArrayDeque<>();
        final ByteBuffer report = ByteBuffer.allocate(FeedbackReport.BYTES);
        final FeedbackReport reportView = new FeedbackReport();
        final ByteBuffer recovered = ByteBuffer.allocate(Fec.MAX_SYMBOL_BYTES);
        final SplittableRandom sizes;
        final SplittableRandom linkJitter;
        final long packets;
        final long[] arrivedAt;
        final boolean[] delivered;
        long now;
        long linkSeq;
        long linkLost;
        long sources;
        long repairs;
        long late;
        long corrupt;
        long lastReleased = -1;
        long maxHold;
        long tailFrom = Long.MAX_VALUE;
        long repairsInTail;
        long sourcesInTail;
        int generationLost;
        int generationSourcesLost;
        /** Generations that lost more of their k + m frames than m: beyond any MDS code. */
        long failedGenerations;
        /** Sources lost in those generations: what an MDS decoder cannot deliver. */
        long beyondRepair;

        final long linkJitterNanos;

        Run(long packets, long seed, long linkJitterNanos) {
            this.packets = packets;
            this.linkJitterNanos = linkJitterNanos;
            this.arrivedAt = new long[(int) packets];
            this.delivered = new boolean[(int) packets];
            SplittableRandom root = new SplittableRandom(seed);
            this.sizes = root.split();
            this.linkJitter = root.split();
            for (int i = 0; i < RING; i++) {
                inFlight[i] = ByteBuffer.allocate(Fec.MAX_SYMBOL_BYTES + FecHeader.BYTES + Fec.LENGTH_PREFIX_BYTES);
            }
        }

        /** Sends packets {@code from..to-1} in generations, each through {@code loss}. */
        void send(long from, long to, Loss loss) {
            long n = from;
            int generation = (int) (from / 7); // any counter; wraps at 2^16
            while (n < to) {
                int k = policy.k();
                int m = policy.m();
                encoder.begin(generation, k, m, generation * 31 + 7);
                generationLost = 0;
                generationSourcesLost = 0;
                for (int j = 0; j < k && n < to; j++, n++) {
                    ByteBuffer frame = slot();
                    int length = writePacket(frame, FecHeader.BYTES, n, 16 + sizes.nextInt(185));
                    if (encoder.addSource(frame, 0, length) != j) {
                        throw new AssertionError("source index");
                    }
                    sources++;
                    if (n >= tailFrom) {
                        sourcesInTail++;
                    }
                    if (transmit(FecHeader.BYTES + length, loss)) {
                        generationSourcesLost++;
                    }
                }
                for (int r = 0; r < m; r++) {
                    int length = encoder.writeRepair(r, slot(), 0);
                    repairs++;
                    if (n > tailFrom) {
                        repairsInTail++;
                    }
                    if (transmit(length, loss)) {
                        generationLost++;
                    }
                }
                generationLost += generationSourcesLost;
                if (generationLost > m) {
                    failedGenerations++;
                    beyondRepair += generationSourcesLost;
                }
                generation++;
            }
        }

        /** Lets everything in flight arrive and every held packet go. */
        void drain() {
            advanceTo(now + ONE_WAY_NANOS + LINK_JITTER_NANOS + 2 * JITTER_BOUND_NANOS);
        }

        private ByteBuffer slot() {
            return inFlight[(int) (linkSeq & (RING - 1))];
        }

        /** Sends one frame; true when the link lost it. */
        private boolean transmit(int length, Loss loss) {
            advanceTo(now + FRAME_INTERVAL_NANOS);
            int i = (int) (linkSeq & (RING - 1));
            inFlightLength[i] = length;
            inFlightSent[i] = now;
            boolean lost = loss.lose();
            if (lost) {
                linkLost++;
            } else if (linkJitterNanos == 0) {
                fifo[(int) (fifoTail++ & (RING - 1))] = linkSeq;
            } else {
                arrivals.add(new long[] {now + ONE_WAY_NANOS + linkJitter.nextLong(linkJitterNanos), linkSeq});
            }
            linkSeq++;
            return lost;
        }

        /** Runs the receiver (and the report path back) up to time {@code t}. */
        private void advanceTo(long t) {
            while (true) {
                long arrival = nextArrival();
                long deadline = jitter.nextDeadline();
                long feedback = reports.isEmpty() ? Long.MAX_VALUE : reports.peek()[0];
                long next = Math.min(arrival, Math.min(deadline, feedback));
                if (next > t) {
                    break;
                }
                now = Math.max(now, next);
                if (next == feedback) {
                    long[] r = reports.poll();
                    policy.onReport((int) r[1], (int) r[2]);
                } else if (next == arrival) {
                    receive(linkJitterNanos == 0 ? fifo[(int) (fifoHead++ & (RING - 1))] : arrivals.remove()[1]);
                }
                release();
            }
            now = t;
        }

        private long nextArrival() {
            if (linkJitterNanos == 0) {
                return fifoHead == fifoTail ? Long.MAX_VALUE
                        : inFlightSent[(int) (fifo[(int) (fifoHead & (RING - 1))] & (RING - 1))] + ONE_WAY_NANOS;
            }
            return arrivals.isEmpty() ? Long.MAX_VALUE : arrivals.peek()[0];
        }

        private void receive(long seq) {
            int i = (int) (seq & (RING - 1));
            ByteBuffer frame = inFlight[i];
            int length = inFlightLength[i];
            stats.onPacket(seq, length, (int) (inFlightSent[i] / 1000), (int) (now / 1000));
            if (stats.reportDue(now)) {
                if (stats.writeReport(report, 0, now) != FeedbackReport.BYTES) {
                    throw new AssertionError("report length");
                }
                reportView.wrap(report, 0);
                reports.add(new long[] {now + ONE_WAY_NANOS, reportView.fractionLost(), reportView.meanBurst16()});
            }
            int result = receiver.add(frame, 0, length, now);
            if (result == FecDecoder.SOURCE) {
                offer(frame, FecHeader.BYTES, length - FecHeader.BYTES);
            }
            FecDecoder decoder = receiver.decoder();
            for (int mask = decoder.recovered(); mask != 0; mask &= mask - 1) {
                int got = decoder.take(Integer.numberOfTrailingZeros(mask), recovered, 0);
                offer(recovered, 0, got);
            }
        }

        private void offer(ByteBuffer buffer, int index, int length) {
            long n = checkPacket(buffer, index, length);
            if (n < 0) {
                corrupt++;
                return;
            }
            int verdict = jitter.offer(n, (int) n, now);
            if (verdict == JitterBuffer.HELD) {
                arrivedAt[(int) n] = now;
            } else if (verdict == JitterBuffer.LATE) {
                late++;
                delivered[(int) n] = true;
            } else {
                throw new AssertionError("jitter buffer said " + verdict + " for packet " + n);
            }
        }

        private void release() {
            for (int h = jitter.poll(now); h != JitterBuffer.NONE; h = jitter.poll(now)) {
                if (h <= lastReleased) {
                    throw new AssertionError("packet " + h + " released after " + lastReleased);
                }
                lastReleased = h;
                delivered[h] = true;
                maxHold = Math.max(maxHold, now - arrivedAt[h]);
            }
        }

        long undelivered() {
            long missing = 0;
            for (boolean d : delivered) {
                if (!d) {
                    missing++;
                }
            }
            return missing;
        }

        Result result(String name) {
            assertEquals(0, corrupt, "packets delivered with wrong bytes");
            return new Result(name, packets, linkSeq, linkLost, sources, repairs, undelivered(), late, maxHold,
                    policy.k(), policy.m(), repairsInTail, sourcesInTail, failedGenerations, beyondRepair);
        }
    }

    /** Packet n: its number (8 bytes), then bytes derived from n. */
    static int writePacket(ByteBuffer b, int index, long n, int length) {
        b.putLong(index, n);
        for (int i = 8; i < length; i++) {
            b.put(index + i, (byte) (n * 31 + i));
        }
        return length;
    }

    /** The packet's number, or -1 if its bytes are not those of {@link #writePacket}. */
    static long checkPacket(ByteBuffer b, int index, int length) {
        if (length < 8) {
            return -1;
        }
        long n = b.getLong(index);
        for (int i = 8; i < length; i++) {
            if (b.get(index + i) != (byte) (n * 31 + i)) {
                return -1;
            }
        }
        return n;
    }

    private static Result run(String name, long seed, Loss loss) {
        return run(name, seed, loss, 0, PACKETS);
    }

    private static Result run(String name, long seed, Loss loss, long linkJitterNanos, int packets) {
        Run run = new Run(packets, seed, linkJitterNanos);
        run.send(0, packets, loss);
        run.drain();
        Result r = run.result(name);
        System.out.println(r);
        assertTrue(r.maxHoldNanos() <= JITTER_BOUND_NANOS, "a packet was held past the bound: " + r);
        assertEquals(packets, run.jitter.released() + r.late() + r.undelivered(),
                "each packet delivered once (in order or late) or never");
        assertEquals(0, run.jitter.duplicates());
        assertEquals(r.beyondRepair(), r.undelivered(),
                "the decoder recovers every generation that lost at most m frames, and no source of the others");
        return r;
    }

    private static Loss bernoulli(double p, long seed) {
        BernoulliLoss loss = new BernoulliLoss(p, new SplittableRandom(seed));
        return loss::lose;
    }

    /**
     * 1 %: under the policy's 0.01 % target (measured 0.004 %, 8 of 200 000). At 1 % a
     * 32-frame report sees 0 or 1 loss; the policy's slow average (weight 1/32) keeps the
     * estimate from dipping to half the real rate as the 8-report average alone did
     * (0.013 % before).
     */
    @Test
    void onePercentRandomLoss() {
        Result r = run("1 % random", 1, bernoulli(0.01, 101));
        assertTrue(r.residual() < 1e-4, r.toString());
    }

    @Test
    void twoPercentRandomLossLeavesUnderOneInTenThousand() {
        Result r = run("2 % random", 2, bernoulli(0.02, 102));
        assertTrue(Math.abs(r.linkLoss() - 0.02) < 0.002, r.toString());
        assertTrue(r.residual() < 1e-4, r.toString());
    }

    @Test
    void fivePercentRandomLossLeavesUnderOneInAThousand() {
        Result r = run("5 % random", 5, bernoulli(0.05, 105));
        assertTrue(r.residual() < 1e-3, r.toString());
    }

    /** Looser bound at 10 %: under 1 % residual (maxK 16 leaves too little room at this loss). */
    @Test
    void tenPercentRandomLoss() {
        Result r = run("10 % random", 10, bernoulli(0.10, 110));
        assertTrue(r.residual() < 1e-2, r.toString());
    }

    /**
     * Short bursts, Gilbert–Elliott: Good→Bad 1 %, Bad→Good 30 % (Bad lasts 3.3 frames
     * on average), 50 % loss in Bad, none in Good: 1.6 % loss. Looser bound, stated:
     * residual under 1 % and under half the link's loss (measured 0.54 %: about 2 % of
     * the generations take more losses than their m).
     */
    @Test
    void shortBurstsGilbertElliott() {
        GilbertElliottLoss ge = new GilbertElliottLoss(new GilbertElliott(0.01, 0.3, 0, 0.5),
                new SplittableRandom(120));
        Result r = run("Gilbert-Elliott p 1 % r 30 % k 50 %", 20, ge::lose);
        assertTrue(r.residual() < 0.01, r.toString());
        assertTrue(r.residual() * 2 < r.linkLoss(), r.toString());
    }

    /**
     * Long bursts, Gilbert–Elliott: Good→Bad 0.2 %, Bad→Good 10 % (Bad lasts 10 frames),
     * 80 % loss in Bad: 1.6 % loss in bursts of about 8 within one generation. The
     * policy's burst floor (m at least the mean burst) does not cover this: the stated
     * bound is only that FEC does not make it worse (residual below the link's loss) and
     * stays under 2 % (measured 1.56 % for 1.79 %). Interleaving generations or sizing m
     * from the longest burst would be the fix.
     */
    @Test
    void longBurstsGilbertElliottAreOnlyPartlyRepaired() {
        GilbertElliottLoss ge = new GilbertElliottLoss(new GilbertElliott(0.002, 0.1, 0, 0.8),
                new SplittableRandom(121));
        Result r = run("Gilbert-Elliott p 0.2 % r 10 % k 80 %", 21, ge::lose, 0, PACKETS / 2);
        assertTrue(r.residual() < 0.02, r.toString());
        assertTrue(r.residual() < r.linkLoss(), r.toString());
    }

    /** 2 % loss on a link that also reorders (0..1 ms jitter): the residual bound holds. */
    @Test
    void twoPercentLossWithReordering() {
        Result r = run("2 % random, reordering", 3, bernoulli(0.02, 103), LINK_JITTER_NANOS, PACKETS / 2);
        assertTrue(r.residual() < 1e-4, r.toString());
    }

    /**
     * Reordering is not loss: {@link ReceiverStats} counts a frame lost only once it is
     * {@value ReceiverStats#REORDER_WINDOW} frames behind the highest, so a clean link
     * with 0..1 ms jitter (up to ten places at 10 000 frames/s) keeps m = 0. Before the
     * reorder window it measured 28 % repair overhead.
     */
    @Test
    void aCleanReorderingLinkCarriesNoRepair() {
        Result r = run("clean, reordering", 31, () -> false, LINK_JITTER_NANOS, PACKETS / 2);
        assertEquals(0, r.repairs(), r.toString());
    }

    @Test
    void aCleanLinkCarriesNoRepairAndLosesNothing() {
        Result r = run("clean", 30, () -> false);
        assertEquals(0, r.repairs(), r.toString());
        assertEquals(0, r.undelivered(), r.toString());
        assertEquals(0, r.late(), r.toString());
    }

    /** 2 % loss for 60 000 packets, then a clean link: repairs stop, and stay stopped. */
    @Test
    void repairsStopOnceTheLinkIsClean() {
        Run run = new Run(PACKETS, 40, 0);
        run.send(0, 60_000, bernoulli(0.02, 140));
        assertTrue(run.policy.m() > 0, "FEC on during loss");
        long repairsDuringLoss = run.repairs;
        run.tailFrom = 100_000;
        run.send(60_000, PACKETS, () -> false);
        run.drain();
        Result r = run.result("2 % then clean");
        System.out.println(r + ", repairs after the loss stopped " + (r.repairs() - repairsDuringLoss)
                + ", in the last 100 000 packets " + r.repairsInTail());
        assertEquals(0, r.finalM());
        assertEquals(0, r.repairsInTail(), "repair overhead on the clean link after adaptation");
        assertEquals(100_000, r.sourcesInTail());
        assertTrue(r.residual() < 1e-4, r.toString());
    }
}
