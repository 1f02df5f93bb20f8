package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CoefficientsTest {
    /** The documented derivation, written again with the JDK's SplitMix64 (SplittableRandom). */
    private static int[][] reference(int seed, int generation) {
        SplittableRandom prng = new SplittableRandom(((long) seed << 16) | generation);
        int[] p = new int[256];
        for (int i = 0; i < 256; i++) {
            p[i] = i;
        }
        for (int i = 0; i < 64; i++) {
            long v = prng.nextLong();
            int j = i + (int) (((v >>> 32) * (256 - i)) >>> 32);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        int[][] c = new int[32][32];
        for (int r = 0; r < 32; r++) {
            for (int j = 0; j < 32; j++) {
                int d = p[r] ^ p[32 + j];
                for (int b = 1; b < 256; b++) {
                    if (Gf256.mulLogExp(d, b) == 1) {
                        c[r][j] = b;
                    }
                }
            }
        }
        return c;
    }

    @Test
    void derivationFollowsTheDocumentedSplitMixAndCauchyRule() {
        Coefficients coefficients = new Coefficients();
        for (int[] sg : new int[][] {{0, 0}, {0x1234, 7}, {0xFFFF, 0xFFFF}, {1, 0x8000}}) {
            int[][] expected = reference(sg[0], sg[1]);
            coefficients.derive(sg[0], sg[1]);
            for (int r = 0; r < 32; r++) {
                for (int j = 0; j < 32; j++) {
                    assertEquals(expected[r][j], coefficients.coefficient(r, j), "r=" + r + " j=" + j);
                }
            }
        }
    }

    /** Golden values: changing the PRNG or the rule breaks decoding between versions. */
    @Test
    void goldenCoefficients() {
        Coefficients coefficients = new Coefficients();
        coefficients.derive(0x1234, 7);
        byte[] row = new byte[32];
        coefficients.row(0, 8, row);
        assertArrayEquals(GOLDEN_SEED_1234_GEN_7_R0, java.util.Arrays.copyOf(row, 8));
        for (int j = 8; j < 32; j++) {
            assertEquals(0, row[j]);
        }
        coefficients.row(3, 4, row);
        assertArrayEquals(GOLDEN_SEED_1234_GEN_7_R3, java.util.Arrays.copyOf(row, 4));
    }

    private static final byte[] GOLDEN_SEED_1234_GEN_7_R0 = java.util.HexFormat.of().parseHex("651244c9b38e0561");
    private static final byte[] GOLDEN_SEED_1234_GEN_7_R3 = java.util.HexFormat.of().parseHex("5f4e6611");

    @Test
    void coefficientsAreNonZeroAndVaryWithSeedAndGeneration() {
        Coefficients coefficients = new Coefficients();
        Set<String> matrices = new HashSet<>();
        for (int seed = 0; seed < 4; seed++) {
            for (int generation = 0; generation < 4; generation++) {
                coefficients.derive(seed, generation);
                StringBuilder s = new StringBuilder();
                for (int r = 0; r < 4; r++) {
                    for (int j = 0; j < 16; j++) {
                        int c = coefficients.coefficient(r, j);
                        assertNotEquals(0, c);
                        s.append(c).append(',');
                    }
                }
                matrices.add(s.toString());
            }
        }
        assertEquals(16, matrices.size());
    }

    /** Every square submatrix of the 4 x 16 block is invertible: the code is MDS. */
    @Test
    void everySquareSubmatrixIsInvertibleAtK16M4() {
        Coefficients coefficients = new Coefficients();
        for (int generation = 0; generation < 3; generation++) {
            coefficients.derive(0xBEEF, generation);
            int checked = 0;
            for (int rows = 1; rows < 16; rows++) {
                if (Integer.bitCount(rows) > 4) {
                    continue;
                }
                int size = Integer.bitCount(rows);
                for (int cols = 1; cols < 1 << 16; cols++) {
                    if (Integer.bitCount(cols) != size) {
                        continue;
                    }
                    assertEquals(size, rank(coefficients, rows, cols), "rows " + rows + " cols " + cols);
                    checked++;
                }
            }
            assertEquals(16 * 4 + 120 * 6 + 560 * 4 + 1820, checked);
        }
    }

    @Test
    void randomSquareSubmatricesAreInvertibleAtK32M32() {
        Coefficients coefficients = new Coefficients();
        Random random = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            coefficients.derive(random.nextInt(1 << 16), random.nextInt(1 << 16));
            int size = 1 + random.nextInt(32);
            int rows = randomSubset(random, size);
            int cols = randomSubset(random, size);
            assertEquals(size, rank(coefficients, rows, cols));
        }
    }

    private static int randomSubset(Random random, int size) {
        int mask = 0;
        while (Integer.bitCount(mask) < size) {
            mask |= 1 << random.nextInt(32);
        }
        return mask;
    }

    /** Rank of the submatrix on the given rows and columns, by Gaussian elimination. */
    private static int rank(Coefficients coefficients, int rowMask, int colMask) {
        int n = Integer.bitCount(rowMask);
        int w = Integer.bitCount(colMask);
        int[][] a = new int[n][w];
        int i = 0;
        for (int r = 0; r < 32; r++) {
            if ((rowMask & (1 << r)) == 0) {
                continue;
            }
            int jj = 0;
            for (int j = 0; j < 32; j++) {
                if ((colMask & (1 << j)) != 0) {
                    a[i][jj++] = coefficients.coefficient(r, j);
                }
            }
            i++;
        }
        int rank = 0;
        for (int col = 0; col < w && rank < n; col++) {
            int pivot = -1;
            for (int r = rank; r < n; r++) {
                if (a[r][col] != 0) {
                    pivot = r;
                    break;
                }
            }
            if (pivot < 0) {
                continue;
            }
            int[] t = a[pivot];
            a[pivot] = a[rank];
            a[rank] = t;
            int inv = Gf256.inv(a[rank][col]);
            for (int r = 0; r < n; r++) {
                if (r != rank && a[r][col] != 0) {
                    int f = Gf256.mul(a[r][col], inv);
                    for (int c = 0; c < w; c++) {
                        a[r][c] ^= Gf256.mul(f, a[rank][c]);
                    }
                }
            }
            rank++;
        }
        return rank;
    }
}
