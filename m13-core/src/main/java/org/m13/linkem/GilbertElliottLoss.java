package org.m13.linkem;

import java.util.SplittableRandom;

/**
 * The Gilbert–Elliott chain for one direction. Per frame, in this order: the chain
 * steps (one draw: Good→Bad with probability p, Bad→Good with probability r), then
 * the frame is lost with the new state's loss probability (one more draw). Two draws
 * per frame always, starting in Good, so the pattern depends only on seed and index.
 */
public final class GilbertElliottLoss {
    private final GilbertElliott params;
    private final SplittableRandom random;
    private boolean bad;

    public GilbertElliottLoss(GilbertElliott params, SplittableRandom random) {
        this.params = params;
        this.random = random;
    }

    /** Decides the next frame: true when it is lost. */
    public boolean lose() {
        double step = random.nextDouble();
        if (bad) {
            bad = step >= params.r();
        } else {
            bad = step < params.p();
        }
        return random.nextDouble() < (bad ? params.k() : params.h());
    }

    /** Whether the chain is in the Bad state (after the last frame's step). */
    public boolean inBadState() {
        return bad;
    }
}
