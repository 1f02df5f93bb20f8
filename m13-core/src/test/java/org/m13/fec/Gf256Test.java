package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Gf256Test {
    /** Carry-less multiplication with reduction by 0x11D, bit by bit: independent of every table. */
    private static int slowMul(int a, int b) {
        int product = 0;
        for (int i = 0; i < 8; i++) {
            if ((b & (1 << i)) != 0) {
                product ^= a << i;
            }
        }
        for (int bit = 14; bit >= 8; bit--) {
            if ((product & (1 << bit)) != 0) {
                product ^= Gf256.POLYNOMIAL << (bit - 8);
            }
        }
        return product;
    }

    @Test
    void productTableAndLogExpAgreeWithCarrylessMultiplicationOnAllPairs() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                int expected = slowMul(a, b);
                assertEquals(expected, Gf256.mul(a, b), a + "*" + b);
                assertEquals(expected, Gf256.mulLogExp(a, b), a + "*" + b + " (log/exp)");
            }
        }
    }

    @Test
    void knownValuesOfThePolynomial0x11D() {
        assertEquals(0x11D, Gf256.POLYNOMIAL);
        assertEquals(0x1D, Gf256.mul(0x80, 2)); // x^8 = x^4 + x^3 + x^2 + 1
        assertEquals(0x1D, Gf256.exp(8));
        assertEquals(1, Gf256.exp(255));
        assertEquals(0x8E, Gf256.inv(2)); // 2 * 0x8E = 0x11C ^ 0x11D = 1
        assertEquals(0, Gf256.mul(0, 0xFF));
        assertEquals(0xAB, Gf256.mul(1, 0xAB));
    }

    @Test
    void twoGeneratesEveryNonZeroElement() {
        Set<Integer> seen = new HashSet<>();
        for (int e = 0; e < 255; e++) {
            seen.add(Gf256.exp(e));
            assertEquals(e, Gf256.log(Gf256.exp(e)));
        }
        assertEquals(255, seen.size());
        assertEquals(false, seen.contains(0));
    }

    @Test
    void inversesAndDivision() {
        for (int a = 1; a < 256; a++) {
            assertEquals(1, Gf256.mul(a, Gf256.inv(a)), "a=" + a);
            for (int b = 1; b < 256; b += 17) {
                assertEquals(a, Gf256.mul(Gf256.div(a, b), b));
            }
        }
        assertThrows(ArithmeticException.class, () -> Gf256.inv(0));
        assertThrows(ArithmeticException.class, () -> Gf256.div(5, 0));
        assertThrows(ArithmeticException.class, () -> Gf256.log(0));
    }

    @Test
    void mulAddAndScaleMatchTheScalarProductOnEveryCoefficient() {
        Random random = new Random(1);
        byte[] src = new byte[1400 + 7];
        byte[] dst = new byte[1400 + 5];
        random.nextBytes(src);
        for (int c = 0; c < 256; c++) {
            random.nextBytes(dst);
            byte[] expected = dst.clone();
            for (int i = 0; i < 1400; i++) {
                expected[5 + i] ^= (byte) slowMul(c, src[7 + i] & 0xFF);
            }
            Gf256.mulAdd(c, src, 7, dst, 5, 1400);
            assertArrayEquals(expected, dst, "c=" + c);

            byte[] scaled = src.clone();
            byte[] expectedScaled = src.clone();
            for (int i = 3; i < 103; i++) {
                expectedScaled[i] = (byte) slowMul(c, src[i] & 0xFF);
            }
            Gf256.scale(c, scaled, 3, 100);
            assertArrayEquals(expectedScaled, scaled, "scale c=" + c);
        }
    }

    @Test
    void mulAddTwiceCancels() {
        byte[] src = new byte[64];
        byte[] dst = new byte[64];
        new Random(2).nextBytes(src);
        new Random(3).nextBytes(dst);
        byte[] original = dst.clone();
        Gf256.mulAdd(0x53, src, 0, dst, 0, 64);
        assertEquals(false, java.util.Arrays.equals(original, dst));
        Gf256.mulAdd(0x53, src, 0, dst, 0, 64);
        assertArrayEquals(original, dst);
    }

    @Test
    void bitSlicedKernelMatchesTheTableKernelOnEveryCoefficient() {
        Random random = new Random(9);
        int words = 176;
        byte[] src = new byte[words * 8];
        random.nextBytes(src);
        long[][] powers = new long[8][words];
        java.nio.ByteBuffer.wrap(src).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(powers[0]);
        Gf256.powers(powers, words);
        for (int c = 0; c < 256; c++) {
            byte[] dst = new byte[words * 8];
            random.nextBytes(dst);
            long[] dstWords = new long[words];
            java.nio.ByteBuffer.wrap(dst).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(dstWords);
            Gf256.mulAdd(c, src, 0, dst, 0, dst.length);
            Gf256.mulAddPowers(c, powers, dstWords, words);
            byte[] got = new byte[words * 8];
            java.nio.ByteBuffer.wrap(got).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(dstWords);
            assertArrayEquals(dst, got, "c=" + c);
        }
    }
}
