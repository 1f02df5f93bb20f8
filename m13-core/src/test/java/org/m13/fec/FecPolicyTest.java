package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FecPolicyTest {
    private static int fraction(double p) {
        return (int) Math.round(p * 65536);
    }

    @Test
    void aCleanLinkGetsNoRepairs() {
        FecPolicy policy = new FecPolicy(FecPolicy.DEFAULT_TARGET, 16);
        for (int i = 0; i < 10; i++) {
            policy.onReport(0, 0);
        }
        assertEquals(0, policy.m());
        assertEquals(16, policy.k());
    }

    @Test
    void meetsTheResidualTargetsAt2And5PercentLoss() {
        for (double p : new double[] {0.01, 0.02, 0.05, 0.10}) {
            FecPolicy policy = new FecPolicy(FecPolicy.DEFAULT_TARGET, 32);
            for (int i = 0; i < 100; i++) {
                policy.onReport(fraction(p), 16);
            }
            double residual = policy.residual(policy.k(), policy.m(), p);
            assertTrue(residual <= 1e-4, "p=" + p + " k=" + policy.k() + " m=" + policy.m() + " residual " + residual);
            assertTrue(policy.m() > 0 && policy.m() <= policy.k());
        }
    }

    @Test
    void aGenerationClosedEarlyCarriesOnlyTheRepairsItsSizeNeeds() {
        FecPolicy policy = new FecPolicy(FecPolicy.DEFAULT_TARGET, 16);
        double p = 0.03; // 2 % measured, 1.5 x margin
        policy.choose(p);
        int m = policy.m();
        assertEquals(m, policy.repairsFor(policy.k(), m, p), "a full generation keeps its m");
        for (int s = 1; s < policy.k(); s++) {
            int r = policy.repairsFor(s, m, p);
            assertTrue(r >= 1 && r <= m, "between 1 and m: " + r);
            assertTrue(r == m || policy.residual(s, r, p) <= FecPolicy.DEFAULT_TARGET, s + " sources, " + r);
            assertTrue(r == 1 || policy.residual(s, r - 1, p) > FecPolicy.DEFAULT_TARGET, "the fewest: " + s + ", " + r);
        }
        assertTrue(policy.repairsFor(2, m, p) < m, "two sources need fewer than sixteen");
        assertEquals(0, policy.repairsFor(5, 0, p), "no repair planned: none");
    }

    @Test
    void repairsNeverExceedTheSourcesEvenAtExtremeLoss() {
        FecPolicy policy = new FecPolicy(FecPolicy.DEFAULT_TARGET, 16);
        for (double p : new double[] {0.2, 0.35, 0.5}) {
            policy.choose(p);
            assertTrue(policy.m() <= policy.k(), p + ": " + policy.k() + " + " + policy.m());
        }
    }

    @Test
    void prefersLessOverheadAndAtEqualOverheadTheShorterGeneration() {
        FecPolicy policy = new FecPolicy(1e-4, 32);
        policy.onReport(fraction(0.02), 16);
        int k = policy.k();
        int m = policy.m();
        // Nothing with less overhead meets the target at the design rate (1.5 x smoothed).
        double design = policy.smoothedLoss() * 1.5;
        for (int kk = 1; kk <= 32; kk++) {
            for (int mm = 1; mm <= 32; mm++) {
                if (mm * k < m * kk || (mm * k == m * kk && kk < k)) {
                    assertTrue(policy.residual(kk, mm, design) > 1e-4, kk + "/" + mm);
                }
            }
        }
    }

    @Test
    void burstsRaiseTheRepairCountToTheMeanBurst() {
        FecPolicy policy = new FecPolicy(1e-4, 16);
        for (int i = 0; i < 50; i++) {
            policy.onReport(fraction(0.01), 6 * 16);
        }
        assertTrue(policy.m() >= 6, "m " + policy.m());
    }

    @Test
    void repairsStopAfterLossStops() {
        FecPolicy policy = new FecPolicy(1e-4, 16);
        for (int i = 0; i < 50; i++) {
            policy.onReport(fraction(0.02), 16);
        }
        assertTrue(policy.m() > 0);
        int reports = 0;
        while (policy.m() > 0 && reports < 1000) {
            policy.onReport(0, 0);
            reports++;
        }
        assertEquals(0, policy.m());
        assertTrue(reports > 20 && reports < 100, "clean after " + reports + " reports");
    }

    /** The formula against a simulation of independent loss on an MDS code. */
    @Test
    void residualFormulaMatchesASimulation() {
        FecPolicy policy = new FecPolicy(1e-4, 16);
        Random random = new Random(17);
        int k = 8;
        int m = 2;
        double p = 0.1;
        long lostSources = 0;
        int generations = 200_000;
        for (int g = 0; g < generations; g++) {
            int erased = 0;
            int erasedSources = 0;
            for (int s = 0; s < k + m; s++) {
                if (random.nextDouble() < p) {
                    erased++;
                    erasedSources += s < k ? 1 : 0;
                }
            }
            lostSources += erased > m ? erasedSources : 0;
        }
        double simulated = (double) lostSources / (generations * (long) k);
        double formula = policy.residual(k, m, p);
        assertTrue(Math.abs(simulated - formula) < 0.1 * formula, simulated + " vs " + formula);
    }

    @Test
    void refusesBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new FecPolicy(0, 16));
        assertThrows(IllegalArgumentException.class, () -> new FecPolicy(1, 16));
        assertThrows(IllegalArgumentException.class, () -> new FecPolicy(1e-4, 0));
        assertThrows(IllegalArgumentException.class, () -> new FecPolicy(1e-4, 33));
    }
}
