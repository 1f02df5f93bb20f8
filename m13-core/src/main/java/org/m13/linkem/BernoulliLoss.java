package org.m13.linkem;

import java.util.SplittableRandom;

/**
 * Independent (Bernoulli) loss: each frame is lost with probability {@code p}, one
 * {@code nextDouble()} draw per frame whatever the outcome, so the drop pattern is a
 * function of the seed and the frame's index alone.
 */
public final class BernoulliLoss {
    private final double p;
    private final SplittableRandom random;

    public BernoulliLoss(double p, SplittableRandom random) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("loss probability must be in [0, 1]: " + p);
        }
        this.p = p;
        this.random = random;
    }

    /** Decides the next frame: true when it is lost. */
    public boolean lose() {
        return random.nextDouble() < p;
    }
}
