package org.m13.linkem;

import java.util.SplittableRandom;

/**
 * Derives every random stream from one seed with {@link SplittableRandom} (SplitMix64):
 * {@code root = new SplittableRandom(seed)}; the A→B direction is {@code root.split()},
 * then B→A is {@code root.split()}; within a direction, in order, the random-loss,
 * Gilbert–Elliott and jitter streams are three further {@code split()}s. Separate
 * streams mean that turning jitter or the other model on never changes a drop pattern.
 */
public final class Seeds {
    /** Streams of one direction. */
    public record Streams(SplittableRandom loss, SplittableRandom ge, SplittableRandom jitter) {
    }

    private Seeds() {
    }

    /** The streams of direction 0 (A→B) and 1 (B→A). */
    public static Streams[] derive(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom aToB = root.split();
        SplittableRandom bToA = root.split();
        return new Streams[] {streams(aToB), streams(bToA)};
    }

    private static Streams streams(SplittableRandom direction) {
        SplittableRandom loss = direction.split();
        SplittableRandom ge = direction.split();
        SplittableRandom jitter = direction.split();
        return new Streams(loss, ge, jitter);
    }
}
