package org.m13.fec;

/**
 * Arithmetic in GF(2^8) = GF(2)[x] / (x^8 + x^4 + x^3 + x^2 + 1), polynomial
 * {@code 0x11D}, the field of Reed-Solomon codes in storage (RAID-6, Jerasure, ISA-L)
 * and most RLNC libraries. Not the AES polynomial {@code 0x11B}: there the element
 * {@code x} (2) is not a generator, so log/exp tables need base 3; with {@code 0x11D}
 * the powers of 2 run through all 255 non-zero elements.
 *
 * <p>Addition is XOR. Multiplication uses tables built once at class load:
 * <ul>
 * <li>{@code EXP[i] = 2^i} for i in 0..509 (doubled, so {@code EXP[log a + log b]}
 *     needs no reduction mod 255), {@code LOG[a]} for a != 0;
 * <li>{@code MUL[(a << 8) | b] = a * b}, the full 256 x 256 product table (64 KiB):
 *     one lookup per byte in the bulk kernels, row {@code a << 8} selected once per
 *     symbol so the inner loop is load, lookup, XOR, store;
 * <li>{@code INV[a]} for a != 0.
 * </ul>
 * The bulk kernels work on heap {@code byte[]} ranges: the JIT removes the bounds
 * checks of a counted loop over an array, which it cannot do for a ByteBuffer.
 *
 * <p>Besides the table kernel there is a bit-sliced one for payloads, where one
 * symbol is multiplied by several coefficients (a source into m repairs, a stored
 * symbol into the sources it helps recover): {@link #powers} computes
 * {@code s * 2^b} for b in 0..7 eight bytes at a time in {@code long} words (the
 * doubling {@code xtime} is shifts, masks and a subtraction per word), and
 * {@link #mulAddPowers} adds {@code c * s} as the XOR of the powers selected by the
 * bits of c. Both loops are plain element-wise {@code long[]} loops, which C2
 * vectorises (AVX2/AVX-512) without the incubating Vector API; the powers are shared
 * by the m repairs. FecBenchmark measures both kernels.
 */
public final class Gf256 {
    /** The reduction polynomial x^8 + x^4 + x^3 + x^2 + 1. */
    public static final int POLYNOMIAL = 0x11D;

    private static final byte[] EXP = new byte[510];
    private static final int[] LOG = new int[256];
    private static final byte[] MUL = new byte[256 * 256];
    private static final byte[] INV = new byte[256];

    static {
        buildTables();
    }

    /**
     * Builds the tables (the class's initialization: 64 Ki products). The daemons call
     * {@link #initialize} at start: left to the first FEC packet, it held that packet
     * ~100 ms on this machine (first ping through the tunnel 140-390 ms, 9-14 ms since).
     * A method of its own rather than the initializer's body, so the JIT may compile it.
     */
    private static void buildTables() {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            EXP[i + 255] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if ((x & 0x100) != 0) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                MUL[(a << 8) | b] = EXP[LOG[a] + LOG[b]];
            }
            INV[a] = EXP[255 - LOG[a]];
        }
    }

    /** Initializes the class (the product table) if it is not yet: daemons call it at start. */
    public static void initialize() {
        // the call itself is the point: the JVM runs the static initializer before it
    }

    private Gf256() {
    }

    /** a * b, through the product table. Arguments are taken mod 256 (a byte's low 8 bits). */
    public static int mul(int a, int b) {
        return MUL[((a & 0xFF) << 8) | (b & 0xFF)] & 0xFF;
    }

    /** a * b through log/exp: the reference the product table is tested against. */
    public static int mulLogExp(int a, int b) {
        a &= 0xFF;
        b &= 0xFF;
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]] & 0xFF;
    }

    /**
     * The multiplicative inverse.
     *
     * @throws ArithmeticException for 0
     */
    public static int inv(int a) {
        a &= 0xFF;
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(2^8)");
        }
        return INV[a] & 0xFF;
    }

    /** a / b. @throws ArithmeticException if b is 0 */
    public static int div(int a, int b) {
        return mul(a, inv(b));
    }

    /** 2^e for any e >= 0. */
    public static int exp(int e) {
        return EXP[e % 255] & 0xFF;
    }

    /** log_2(a). @throws ArithmeticException for 0 */
    public static int log(int a) {
        a &= 0xFF;
        if (a == 0) {
            throw new ArithmeticException("log of 0");
        }
        return LOG[a];
    }

    /**
     * {@code dst[dstOff + i] ^= c * src[srcOff + i]} for i in 0..len-1: the multiply-add
     * of a coefficient times a symbol into another. {@code c = 0} does nothing,
     * {@code c = 1} is a plain XOR. The ranges must not overlap unless they are equal.
     */
    public static void mulAdd(int c, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        c &= 0xFF;
        if (c == 0) {
            return;
        }
        if (c == 1) {
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] ^= src[srcOff + i];
            }
            return;
        }
        byte[] mul = MUL;
        int row = c << 8;
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] ^= mul[row | (src[srcOff + i] & 0xFF)];
        }
    }

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long LOW1 = 0x0101010101010101L;
    private static final long REDUCE = 0x1D1D1D1D1D1D1D1DL; // x^8 mod the polynomial, in every byte

    /**
     * Doubles every byte of {@code words} longs of {@code src} into {@code dst}:
     * {@code dst = 2 * src} byte-wise ({@code xtime}). The high bit h of each byte
     * becomes {@code (h << 8) - h} = 0xFF in that byte (no borrow crosses a byte), which
     * selects the reduction 0x1D.
     */
    static void xtime(long[] src, long[] dst, int words) {
        for (int i = 0; i < words; i++) {
            long x = src[i];
            long high = (x >>> 7) & LOW1;
            dst[i] = ((x & LOW7) << 1) ^ (((high << 8) - high) & REDUCE);
        }
    }

    /**
     * Fills {@code powers[b][0..words)} with {@code powers[0] * 2^b} for b in 1..7;
     * {@code powers[0]} holds the symbol, eight bytes per long in any fixed byte order.
     */
    public static void powers(long[][] powers, int words) {
        for (int b = 1; b < 8; b++) {
            xtime(powers[b - 1], powers[b], words);
        }
    }

    /**
     * {@code dst ^= c * s} over {@code words} longs, where {@code powers} was filled by
     * {@link #powers} from s: one XOR pass per set bit of c.
     */
    public static void mulAddPowers(int c, long[][] powers, long[] dst, int words) {
        for (int b = 0; b < 8; b++) {
            if ((c & (1 << b)) != 0) {
                long[] p = powers[b];
                for (int i = 0; i < words; i++) {
                    dst[i] ^= p[i];
                }
            }
        }
    }

    /** {@code buf[off + i] = c * buf[off + i]} for i in 0..len-1 (c = 0 zeroes the range). */
    public static void scale(int c, byte[] buf, int off, int len) {
        c &= 0xFF;
        if (c == 1) {
            return;
        }
        byte[] mul = MUL;
        int row = c << 8;
        for (int i = 0; i < len; i++) {
            buf[off + i] = mul[row | (buf[off + i] & 0xFF)];
        }
    }
}
