package org.m13.fec;

/**
 * The sender's choice of k and m from the receiver's reports: the least repair
 * overhead m / k that keeps the residual loss (sources neither received nor
 * recovered) below a target at the measured loss rate. Runs once per feedback
 * report, not per packet; one instance per sending peer, one thread, no allocation.
 *
 * <p>Model: the code is MDS (any k of the k + m symbols decode), so with independent
 * losses at rate p a generation fails exactly when more than m of its n = k + m
 * symbols are lost, and then loses e / n of its sources on average for e erasures:
 * <pre>
 *   residual(k, m, p) = sum_{e = m+1..n} C(n, e) p^e (1 - p)^(n - e) * e / n
 * </pre>
 * Every k in 1..maxK and m in 0..32 is tried; the smallest m / k meeting the target
 * wins, ties going to the smaller k (shorter generations: less delay before a repair
 * can arrive). Loss is rarely independent on radio links, so m is also at least the
 * mean burst length reported, whenever there is loss.
 *
 * <p>Estimate: the fraction lost of each report enters two exponentially weighted
 * averages, a fast one (weight 1/8, about 8 reports) and a slow one (weight 1/32,
 * about 32 reports, some 1000 frames: at 1 % a 32-frame report sees 0 or 1 loss, and
 * 8 reports alone often dip to half the real rate). The estimate is the larger of the
 * two (fast attack when loss rises, the slow average's memory when it is steady or
 * falls), and the design rate is 1.5 times it, a margin for the noise of a few
 * losses per report. The clean-link detector is the fast average alone: below
 * {@value #CLEAN_LOSS} the link counts as clean and m is 0, so there is no repair
 * overhead on a clean link, reached about 60 clean reports after 2 % loss stops (the
 * slow average does not delay it). If no choice meets the target (extreme loss), the
 * one with the lowest residual among those with m at most k is taken.
 *
 * <p>Overhead cap: m is never above k (at most 100 % repair overhead). Loss that a
 * congested bottleneck causes looks like link loss in the reports, and answering it
 * with ever more repairs only deepens the congestion (seen on a 20 Mbit/s emulated
 * satellite link before the cap: m = 31 at k = 9, goodput halved); 100 % still covers
 * 10 % random loss (15 + 11).
 */
public final class FecPolicy {
    /** Smoothed loss rate below which no repair is sent. */
    public static final double CLEAN_LOSS = 1e-5;
    /** Default target: 0.01 % of sources lost after FEC. */
    public static final double DEFAULT_TARGET = 1e-4;

    private static final double FAST_WEIGHT = 1.0 / 8;
    private static final double SLOW_WEIGHT = 1.0 / 32;
    private static final double MARGIN = 1.5;

    private final double target;
    private final int maxK;
    private final double[] binomialRow = new double[Fec.MAX_K + Fec.MAX_M + 1];
    private double fastLoss;
    private double slowLoss;
    private double smoothedLoss;
    private double designLoss;
    private int burst;
    private int k;
    private int m;

    /**
     * @param target residual loss to stay below, in (0, 1)
     * @param maxK largest generation, 1..{@value Fec#MAX_K} (the latency a generation may add)
     */
    public FecPolicy(double target, int maxK) {
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("target " + target + " outside (0, 1)");
        }
        if (maxK < 1 || maxK > Fec.MAX_K) {
            throw new IllegalArgumentException("maxK " + maxK + " outside 1.." + Fec.MAX_K);
        }
        this.target = target;
        this.maxK = maxK;
        this.k = maxK;
        this.m = 0;
    }

    /**
     * Takes one receiver report and re-chooses k and m.
     *
     * @param fractionLost lost / expected x 65536, as in the feedback report
     * @param meanBurst16 packets per loss event x 16, as in the feedback report
     */
    public void onReport(int fractionLost, int meanBurst16) {
        double sample = fractionLost / 65536.0;
        fastLoss += FAST_WEIGHT * (sample - fastLoss);
        slowLoss += SLOW_WEIGHT * (sample - slowLoss);
        smoothedLoss = Math.max(fastLoss, slowLoss);
        burst = (meanBurst16 + 15) / 16;
        if (fastLoss < CLEAN_LOSS) {
            k = maxK; // clean by the fast average, whatever the slow one still remembers
            m = 0;
            designLoss = 0;
            return;
        }
        designLoss = Math.min(0.5, smoothedLoss * MARGIN);
        choose(designLoss);
    }

    /** Chooses k and m for a design loss rate p directly (also used by {@link #onReport}). */
    void choose(double p) {
        if (p < CLEAN_LOSS * MARGIN) {
            k = maxK;
            m = 0;
            return;
        }
        int minM = Math.max(1, burst);
        int bestK = -1;
        int bestM = -1;
        int fallbackK = 1;
        int fallbackM = 1;
        double fallbackResidual = Double.MAX_VALUE;
        for (int kk = 1; kk <= maxK; kk++) {
            for (int mm = Math.min(minM, kk); mm <= Math.min(Fec.MAX_M, kk); mm++) {
                double residual = residual(kk, mm, p);
                if (mm <= kk && residual < fallbackResidual) {
                    fallbackResidual = residual;
                    fallbackK = kk;
                    fallbackM = mm;
                }
                if (residual <= target) {
                    // smaller overhead mm / kk, compared without division
                    if (bestK < 0 || mm * bestK < bestM * kk) {
                        bestK = kk;
                        bestM = mm;
                    }
                    break; // a larger m only adds overhead at this k
                }
            }
        }
        if (bestK < 0) {
            bestK = fallbackK;
            bestM = fallbackM;
        }
        k = bestK;
        m = bestM;
    }

    /**
     * Repairs for a generation closed early with {@code sources} of its k (a burst
     * ended): the fewest, at most {@code m}, that keep that shorter generation below
     * the target at design loss {@code p}; at least 1 when {@code m > 0}. Without it a
     * generation of 3 sources would carry the 4 repairs planned for 16.
     */
    public int repairsFor(int sources, int m, double p) {
        if (m == 0 || sources <= 0) {
            return 0;
        }
        for (int mm = 1; mm < m; mm++) {
            if (residual(sources, mm, p) <= target) {
                return mm;
            }
        }
        return m;
    }

    /** The loss rate the current choice was designed for (1.5 x the estimate; 0 on a clean link). */
    public double designLoss() {
        return designLoss;
    }

    /** Residual source loss of an MDS (k, m) code under independent loss at rate p. */
    public double residual(int k, int m, double p) {
        int n = k + m;
        binomialRow[0] = 1;
        for (int e = 1; e <= n; e++) {
            binomialRow[e] = binomialRow[e - 1] * (n - e + 1) / e;
        }
        double sum = 0;
        for (int e = m + 1; e <= n; e++) {
            sum += binomialRow[e] * Math.pow(p, e) * Math.pow(1 - p, n - e) * e / n;
        }
        return sum;
    }

    /** Sources per generation to use now. */
    public int k() {
        return k;
    }

    /** Repairs per generation to use now (0 on a clean link). */
    public int m() {
        return m;
    }

    /** The smoothed loss rate (0..1): the larger of the fast and the slow average. */
    public double smoothedLoss() {
        return smoothedLoss;
    }
}
