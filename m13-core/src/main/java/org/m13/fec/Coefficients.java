package org.m13.fec;

/**
 * The coding coefficients of a generation, derived from the 16-bit seed and the
 * generation id in the FEC header, so no coefficient travels on the wire.
 *
 * <p>The coefficient of source j in repair r is the Cauchy entry
 * <pre>
 *   c(r, j) = 1 / (x_r + y_j)        in GF(2^8), r in 0..31, j in 0..31
 * </pre>
 * where x_0..x_31, y_0..y_31 are 64 distinct field elements chosen by the seed:
 * <ol>
 * <li>SplitMix64 (Steele, Lea, Flood 2014; the constants of {@code java.util.SplittableRandom})
 *     starts from {@code state = seed << 16 | generation} (both unsigned 16-bit);
 *     each draw adds {@code 0x9E3779B97F4A7C15} to the state and mixes it;
 * <li>a partial Fisher-Yates shuffle of the array {@code p = [0, 1, ..., 255]}: for
 *     i in 0..63, draw v, take {@code j = i + (((v >>> 32) * (256 - i)) >>> 32)}
 *     (multiply-shift onto 0..255-i), swap p[i] and p[j];
 * <li>{@code x_r = p[r]}, {@code y_j = p[32 + j]}.
 * </ol>
 * Why Cauchy and not uniformly random coefficients: every square submatrix of a
 * Cauchy matrix is invertible, so the code [I; C] is MDS: any k of the k + m symbols
 * of a generation decode, whatever the seed, and no repair is ever a linear
 * combination of symbols already held. With uniform random coefficients, k = 16 and
 * m = 4, about 1 in 256 patterns of four lost sources would not decode. The seed
 * still varies the matrix per generation (one unlucky pattern cannot repeat), and
 * c(r, j) depends on neither k nor m, so a sender may accumulate repairs while the
 * sources stream out and close a generation early. Needs k + m distinct points:
 * 32 + 32 = 64 of 256.
 */
public final class Coefficients {
    /** Distinct points drawn: x_0..x_31 then y_0..y_31. */
    static final int POINTS = Fec.MAX_M + Fec.MAX_K;

    private final int[] perm = new int[256];
    private final byte[] x = new byte[Fec.MAX_M];
    private final byte[] y = new byte[Fec.MAX_K];
    private int seed = -1;
    private int generation = -1;

    /** Derives the points for this seed and generation (a no-op if they are the current ones). */
    public void derive(int seed, int generation) {
        seed &= 0xFFFF;
        generation &= 0xFFFF;
        if (seed == this.seed && generation == this.generation) {
            return;
        }
        for (int i = 0; i < 256; i++) {
            perm[i] = i;
        }
        long state = ((long) seed << 16) | generation;
        for (int i = 0; i < POINTS; i++) {
            state += 0x9E3779B97F4A7C15L;
            long v = mix(state);
            int j = i + (int) (((v >>> 32) * (256 - i)) >>> 32);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int r = 0; r < Fec.MAX_M; r++) {
            x[r] = (byte) perm[r];
        }
        for (int j = 0; j < Fec.MAX_K; j++) {
            y[j] = (byte) perm[Fec.MAX_M + j];
        }
        this.seed = seed;
        this.generation = generation;
    }

    /** The SplitMix64 output function (the mixer of {@code SplittableRandom}). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Coefficient of source {@code j} in repair {@code r}, never 0. Call {@link #derive} first. */
    public int coefficient(int r, int j) {
        return Gf256.inv(x[r] ^ y[j]);
    }

    /**
     * Writes c(r, 0..k-1) into {@code row[0..k-1]} and zeroes {@code row[k..]}.
     */
    public void row(int r, int k, byte[] row) {
        for (int j = 0; j < k; j++) {
            row[j] = (byte) Gf256.inv(x[r] ^ y[j]);
        }
        for (int j = k; j < row.length; j++) {
            row[j] = 0;
        }
    }
}
