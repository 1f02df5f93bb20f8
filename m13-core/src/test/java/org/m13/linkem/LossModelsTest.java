package org.m13.linkem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Random and Gilbert–Elliott loss: seeded patterns, long-run rates, burst lengths. */
@Timeout(30)
class LossModelsTest {
    private static final int DECISIONS = 100_000;

    private static BitSet pattern(LinkParams params, long seed, int direction, int frames) {
        LinkDirection link = new LinkDirection(params, Seeds.derive(seed)[direction]);
        BitSet lost = new BitSet(frames);
        for (int i = 0; i < frames; i++) {
            if (link.admit(i * 1000L, 100, Verdict.FORWARD) != Verdict.FORWARD) {
                lost.set(i);
            }
        }
        return lost;
    }

    @Test
    void sameSeedGivesTheSameDropPatternOver100000Decisions() {
        LinkParams params = LinkParams.CLEAN.withLoss(0.03).withGilbertElliott(new GilbertElliott(0.01, 0.3, 0.001, 0.5));
        BitSet first = pattern(params, 42, 0, DECISIONS);
        BitSet second = pattern(params, 42, 0, DECISIONS);
        assertEquals(first, second);
        assertTrue(first.cardinality() > 3000, "drops: " + first.cardinality());
        assertNotEquals(first, pattern(params, 43, 0, DECISIONS), "another seed, another pattern");
        assertNotEquals(first, pattern(params, 42, 1, DECISIONS), "the two directions are independent");
        // Jitter and rate draw from their own streams: turning them on keeps the pattern.
        LinkParams jittered = params.withDelay(50_000_000, 10_000_000).withRate(1_000_000_000L, 1_000_000);
        assertEquals(first, pattern(jittered, 42, 0, DECISIONS));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.001, 0.01, 0.02, 0.05, 0.1})
    void randomLossRateIsWithinAThirdOfAPercentagePointOver100000Frames(double p) {
        for (long seed = 1; seed <= 3; seed++) {
            BernoulliLoss loss = new BernoulliLoss(p, new SplittableRandom(seed));
            int lost = 0;
            for (int i = 0; i < DECISIONS; i++) {
                lost += loss.lose() ? 1 : 0;
            }
            double rate = lost / (double) DECISIONS;
            assertEquals(p, rate, 0.003, "seed " + seed);
        }
    }

    /** Simple Gilbert (h = 0, k = 1): loss rate p/(p+r) and mean burst 1/r, each within 5 % relative over 10⁶ frames. */
    @Test
    void gilbertLossRateAndMeanBurstLengthMatchTheAnalyticalValues() {
        double[][] cases = {{0.01, 0.25}, {0.005, 0.5}, {0.05, 0.1}};
        for (double[] c : cases) {
            GilbertElliott params = new GilbertElliott(c[0], c[1], 0, 1);
            Stats stats = run(params, 7, 1_000_000);
            assertEquals(params.lossRate(), stats.lossRate, 0.05 * params.lossRate(), params + " loss rate");
            assertEquals(1 / params.r(), stats.meanBurst, 0.05 / params.r(), params + " mean burst");
        }
    }

    /**
     * Four-parameter form: loss rate h·π_G + k·π_B within 5 % relative, and the time
     * spent in Bad within 5 % of p/(p+r), over 10⁶ frames.
     */
    @Test
    void gilbertElliottFourParameterLossRateMatches() {
        GilbertElliott params = new GilbertElliott(0.02, 0.2, 0.01, 0.6);
        assertEquals(0.02 / 0.22, params.badFraction(), 1e-12);
        assertEquals(0.01 * 0.2 / 0.22 + 0.6 * 0.02 / 0.22, params.lossRate(), 1e-12);
        for (long seed = 1; seed <= 3; seed++) {
            Stats stats = run(params, seed, 1_000_000);
            assertEquals(params.lossRate(), stats.lossRate, 0.05 * params.lossRate(), "seed " + seed);
            assertEquals(params.badFraction(), stats.badFraction, 0.05 * params.badFraction(), "seed " + seed);
        }
    }

    private record Stats(double lossRate, double meanBurst, double badFraction) {
    }

    private static Stats run(GilbertElliott params, long seed, int frames) {
        GilbertElliottLoss model = new GilbertElliottLoss(params, new SplittableRandom(seed));
        long lost = 0;
        long bursts = 0;
        long bad = 0;
        boolean previous = false;
        for (int i = 0; i < frames; i++) {
            boolean l = model.lose();
            bad += model.inBadState() ? 1 : 0;
            if (l) {
                lost++;
                if (!previous) {
                    bursts++;
                }
            }
            previous = l;
        }
        return new Stats(lost / (double) frames, lost / (double) bursts, bad / (double) frames);
    }

    @Test
    void parsesTheCommonForms() {
        assertEquals(new GilbertElliott(0.01, 0.3, 0, 1), GilbertElliott.parse("0.01,0.3"));
        assertEquals(new GilbertElliott(0.01, 0.3, 0.001, 0.9), GilbertElliott.parse("1%, 30%, 0.1%, 90%"));
        assertThrows(IllegalArgumentException.class, () -> GilbertElliott.parse("0.1,0.2,0.3"));
        assertThrows(IllegalArgumentException.class, () -> GilbertElliott.parse("0.1,2"));
        assertEquals(0.02, LinkParams.parseProbability("2%"), 1e-12);
        assertEquals(0.02, LinkParams.parseProbability("0.02"), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LinkParams.parseProbability("two"));
        assertThrows(IllegalArgumentException.class, () -> LinkParams.parseProbability("101%"));
    }
}
