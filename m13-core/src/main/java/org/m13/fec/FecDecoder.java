package org.m13.fec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental Gaussian-elimination decoder for one generation at a time. One
 * instance per receiving peer (or one per generation in flight), used by one thread.
 *
 * <p>Each symbol becomes a row: a coefficient vector over the k sources (a unit
 * vector for a source symbol, the {@link Coefficients} row for a repair) and a coded
 * payload. Rows are kept in reduced row-echelon form as they arrive: a new row is
 * reduced by the rows already held (one multiply-add per pivot it touches), dropped
 * if nothing is left (not innovative), else normalised on its first non-zero column
 * and subtracted from the other rows. So:
 * <ul>
 * <li>symbols are accepted in any order and duplicates are recognised and ignored;
 * <li>a source symbol is known as soon as its row is a unit vector, which is at once
 *     for a source received (systematic symbols pass straight through: the caller
 *     delivers them from the frame) and, for a lost one, as soon as the rows held
 *     determine it, often before the whole generation decodes;
 * <li>the generation is decoded when the rank reaches k (k comes from a repair
 *     header); a source not yet known is reported missing, never guessed: there is no
 *     state in which garbage is handed out.
 * </ul>
 *
 * <p>Unequal lengths: every stored symbol is the coded form {@code length (u16) |
 * data}, zero beyond; recovered payloads are computed over the first
 * {@link #width()} bytes (the longest coded payload seen). A recovered source's data
 * length is its recovered prefix; a prefix beyond the width can only come from a
 * sender bug and is dropped as {@link FecDrop#CORRUPT}.
 *
 * <p>Payload work is deferred: elimination runs on the 32-byte coefficient rows only,
 * each row also recording which combination of the stored symbols it is (a second
 * 32 x 32 matrix, the "augmented" part). Only when a lost source becomes known is its
 * payload computed, once, as that combination of stored symbols; the sources
 * recovered together (at rank k, typically all of them) are computed in one batch
 * with the encoder's bit-sliced kernel, the powers of each stored symbol shared by
 * all outputs ({@link Gf256#mulAddPowers}). Decoding a generation then costs about
 * what encoding it did, instead of one table multiply-add per elimination step.
 *
 * <p>Memory: 32 stored symbols and 32 outputs of {@code 2 + capacity} bytes, 8 power
 * rows, two 32 x 32 byte matrices, preallocated; nothing is allocated per symbol.
 * Results are int constants, drop reasons are counted by {@link FecDrop} id.
 */
public final class FecDecoder {
    /** A source symbol not held before: the caller delivers its data (after the 8-byte header). */
    public static final int SOURCE = 2;
    /** A repair that raised the rank; see {@link #recovered()} for sources it made known. */
    public static final int REPAIR = 1;
    /** Duplicate, a source already delivered, or a repair adding nothing. Counted, not an error. */
    public static final int REDUNDANT = 0;
    /** Rejected; the reason is counted and returned by {@link #lastDrop()}. */
    public static final int DROPPED = -1;

    private static final int NO_ROW = -1;

    private final FecHeader header = new FecHeader();
    private final Coefficients coefficients = new Coefficients();
    private final int capacity;
    /** Stored symbols (coded payloads), by row slot, as little-endian long words. */
    private final long[][] raw;
    /** Words of raw[slot] that may be non-zero. */
    private final int[] rawWords = new int[Fec.MAX_K];
    /** Recovered sources' coded payloads, by source index. */
    private final long[][] out;
    private final long[][] powers;
    private final long[][] powerRefs = new long[8][];
    private final byte[] scratch;
    private final LongBuffer scratchWords;
    private final byte[][] coef;
    /** comb[row][t]: the row is the sum of comb[row][t] * raw[t]. */
    private final byte[][] comb;
    /** Non-zero columns of each row, bit j = source j. */
    private final int[] nonZero = new int[Fec.MAX_K];
    /** Row whose pivot (first non-zero column) is column j, or NO_ROW. */
    private final int[] pivotRow = new int[Fec.MAX_K];

    private int generation = -1;
    private int k;
    private int seed = -1;
    private int rank;
    private int width;
    private int pivots;
    private int received;
    private int known;
    private int delivered;
    private int materialized;
    private int repairsSeen;

    private final long[] drops = new long[FecDrop.maxId() + 1];
    private FecDrop lastDrop;
    private long sourcesIn;
    private long repairsIn;
    private long redundant;
    private long recoveredOut;

    /** @param symbolCapacity largest source symbol, as for the encoder */
    public FecDecoder(int symbolCapacity) {
        capacity = Fec.checkCapacity(symbolCapacity);
        int words = words(Fec.LENGTH_PREFIX_BYTES + capacity);
        raw = new long[Fec.MAX_K][words];
        out = new long[Fec.MAX_K][words];
        powers = new long[8][words];
        scratch = new byte[words * Long.BYTES];
        scratchWords = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        coef = new byte[Fec.MAX_K][Fec.MAX_K];
        comb = new byte[Fec.MAX_K][Fec.MAX_K];
        Arrays.fill(pivotRow, NO_ROW);
    }

    /** Starts decoding {@code generation} (low 16 bits), forgetting the current one. O(k). */
    public void reset(int generation) {
        this.generation = generation & 0xFFFF;
        k = 0;
        seed = -1;
        rank = 0;
        width = 0;
        pivots = 0;
        received = 0;
        known = 0;
        delivered = 0;
        materialized = 0;
        repairsSeen = 0;
        Arrays.fill(pivotRow, NO_ROW);
    }

    /**
     * Takes one FEC symbol: the FEC header at absolute {@code headerIndex} of
     * {@code buffer}, followed by the data (source) or coded payload (repair), in all
     * {@code bytesAvailable} bytes. Checks, in order: length, reserved byte, k, m,
     * index, generation, symbol length, then agreement with the repairs already held.
     *
     * @return {@link #SOURCE}, {@link #REPAIR}, {@link #REDUNDANT} or {@link #DROPPED}
     * @throws IndexOutOfBoundsException if the region lies outside the buffer's limit
     *     (a caller bug; nothing a peer sends can cause it)
     */
    public int add(ByteBuffer buffer, int headerIndex, int bytesAvailable) {
        if (bytesAvailable < FecHeader.BYTES) {
            return drop(FecDrop.TRUNCATED);
        }
        Objects.checkFromIndexSize(headerIndex, bytesAvailable, buffer.limit());
        FecHeader h = header.wrap(buffer, headerIndex);
        FecDrop bad = check(h);
        if (bad != null) {
            return drop(bad);
        }
        int hk = h.k();
        int index = h.index();
        if (h.generation() != generation) {
            return drop(FecDrop.WRONG_GENERATION);
        }
        int at = headerIndex + FecHeader.BYTES;
        int length = bytesAvailable - FecHeader.BYTES;
        if (index < hk) {
            return addSource(index, buffer, at, length);
        }
        return addRepair(index - hk, hk, h.seed(), buffer, at, length);
    }

    /**
     * What a header may not say whatever the generation: reserved byte, k, m, index
     * (in that order); null if none of it is wrong. Also for a receiver that passes a
     * source of a generation without repairs through without a decoder.
     */
    public static FecDrop check(FecHeader h) {
        int hk = h.k();
        if (h.reserved() != 0) {
            return FecDrop.NONZERO_RESERVED;
        }
        if (hk == 0 || hk > Fec.MAX_K) {
            return FecDrop.BAD_K;
        }
        if (h.m() > Fec.MAX_M) {
            return FecDrop.BAD_M;
        }
        return h.index() >= hk + h.m() ? FecDrop.BAD_INDEX : null;
    }

    private int addSource(int index, ByteBuffer buffer, int at, int length) {
        if (length > capacity) {
            return drop(FecDrop.TOO_LONG);
        }
        if (k != 0 && index >= k) {
            return drop(FecDrop.BAD_INDEX);
        }
        int bit = 1 << index;
        sourcesIn++;
        if ((delivered & bit) != 0) {
            redundant++;
            return REDUNDANT;
        }
        delivered |= bit;
        received |= bit;
        if ((known & bit) != 0) {
            return SOURCE; // recovered earlier, not yet taken: the caller delivers this copy
        }
        int row = rank;
        byte[] c = coef[row];
        Arrays.fill(c, (byte) 0);
        c[index] = 1;
        nonZero[row] = bit;
        int coded = Fec.LENGTH_PREFIX_BYTES + length;
        scratch[0] = (byte) (length >>> 8);
        scratch[1] = (byte) length;
        buffer.get(at, scratch, Fec.LENGTH_PREFIX_BYTES, length);
        store(row, coded);
        if (!eliminate(row)) {
            throw new IllegalStateException("a source not yet known was not innovative"); // cannot happen
        }
        materialize();
        return SOURCE;
    }

    private int addRepair(int r, int hk, int hseed, ByteBuffer buffer, int at, int length) {
        if (length < Fec.LENGTH_PREFIX_BYTES) {
            return drop(FecDrop.SHORT_REPAIR);
        }
        if (length > Fec.LENGTH_PREFIX_BYTES + capacity) {
            return drop(FecDrop.TOO_LONG);
        }
        if (k == 0 ? hk < Fec.MAX_K && (received >>> hk) != 0 : hk != k) {
            return drop(FecDrop.K_MISMATCH);
        }
        if (seed >= 0 && hseed != seed) {
            return drop(FecDrop.SEED_MISMATCH);
        }
        repairsIn++;
        k = hk;
        seed = hseed;
        int bit = 1 << r;
        if ((repairsSeen & bit) != 0 || rank == k) {
            redundant++;
            return REDUNDANT;
        }
        repairsSeen |= bit;
        coefficients.derive(seed, generation);
        int row = rank;
        coefficients.row(r, k, coef[row]);
        nonZero[row] = k == 32 ? -1 : (1 << k) - 1; // Cauchy entries are never zero
        buffer.get(at, scratch, 0, length);
        store(row, length);
        if (!eliminate(row)) {
            redundant++;
            return REDUNDANT;
        }
        materialize();
        return REPAIR;
    }

    /**
     * Moves the {@code coded} bytes in the scratch buffer into stored symbol
     * {@code row}, zero beyond them, and starts the row's combination as itself.
     */
    private void store(int row, int coded) {
        int words = words(coded);
        Arrays.fill(scratch, coded, words * Long.BYTES, (byte) 0);
        long[] r = raw[row];
        scratchWords.get(0, r, 0, words);
        if (rawWords[row] > words) {
            Arrays.fill(r, words, rawWords[row], 0L);
        }
        rawWords[row] = words;
        byte[] t = comb[row];
        Arrays.fill(t, (byte) 0);
        t[row] = 1;
        width = Math.max(width, coded);
    }

    /**
     * Reduces row {@code row} (the next free one) by the rows held and, if anything is
     * left, adds it to the echelon form. Coefficients and combinations only: no payload
     * is touched. Returns whether it was innovative.
     */
    private boolean eliminate(int row) {
        byte[] c = coef[row];
        byte[] t = comb[row];
        // Rows held are reduced: a pivot row is zero in every other pivot column, so
        // one pass over the pivot columns present at the start is enough.
        int todo = nonZero[row] & pivots;
        while (todo != 0) {
            int col = Integer.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            int f = c[col] & 0xFF;
            if (f != 0) {
                int q = pivotRow[col];
                Gf256.mulAdd(f, coef[q], 0, c, 0, Fec.MAX_K);
                Gf256.mulAdd(f, comb[q], 0, t, 0, Fec.MAX_K);
            }
        }
        int nz = nonZeroColumns(c);
        nonZero[row] = nz;
        if (nz == 0) {
            return false;
        }
        int col = Integer.numberOfTrailingZeros(nz);
        int inv = Gf256.inv(c[col]);
        Gf256.scale(inv, c, 0, Fec.MAX_K);
        Gf256.scale(inv, t, 0, Fec.MAX_K);
        int colBit = 1 << col;
        for (int q = 0; q < rank; q++) {
            if ((nonZero[q] & colBit) != 0) {
                int g = coef[q][col] & 0xFF;
                Gf256.mulAdd(g, c, 0, coef[q], 0, Fec.MAX_K);
                Gf256.mulAdd(g, t, 0, comb[q], 0, Fec.MAX_K);
                nonZero[q] = nonZeroColumns(coef[q]);
                markIfKnown(q);
            }
        }
        pivotRow[col] = row;
        pivots |= colBit;
        rank++;
        markIfKnown(row);
        return true;
    }

    /**
     * Computes the payload of every source that became known by decoding since the
     * last call: out[col] = sum over stored symbols t of comb[row(col)][t] * raw[t],
     * the powers of each raw[t] computed once for all outputs. Then checks each
     * recovered length prefix.
     */
    private void materialize() {
        int todo = known & ~received & ~materialized;
        if (todo == 0) {
            return;
        }
        int words = words(width);
        for (int m = todo; m != 0; m &= m - 1) {
            Arrays.fill(out[Integer.numberOfTrailingZeros(m)], 0, words, 0L);
        }
        for (int t = 0; t < rank; t++) {
            int bits = 0;
            for (int m = todo; m != 0; m &= m - 1) {
                bits |= comb[pivotRow[Integer.numberOfTrailingZeros(m)]][t] & 0xFF;
            }
            if (bits == 0) {
                continue;
            }
            powerRefs[0] = raw[t];
            int highest = 31 - Integer.numberOfLeadingZeros(bits);
            for (int b = 1; b <= highest; b++) {
                powerRefs[b] = powers[b];
                Gf256.xtime(powerRefs[b - 1], powerRefs[b], words);
            }
            for (int m = todo; m != 0; m &= m - 1) {
                int col = Integer.numberOfTrailingZeros(m);
                Gf256.mulAddPowers(comb[pivotRow[col]][t] & 0xFF, powerRefs, out[col], words);
            }
        }
        materialized |= todo;
        for (int m = todo; m != 0; m &= m - 1) {
            int col = Integer.numberOfTrailingZeros(m);
            if (length(col) > width - Fec.LENGTH_PREFIX_BYTES) {
                drops[FecDrop.CORRUPT.id()]++;
                lastDrop = FecDrop.CORRUPT;
                delivered |= 1 << col; // never hand it out
            }
        }
    }

    /** A row with one non-zero column is a source symbol: record it as known. */
    private void markIfKnown(int row) {
        int nz = nonZero[row];
        if (Integer.bitCount(nz) == 1) {
            known |= nz;
        }
    }

    private static int nonZeroColumns(byte[] c) {
        int nz = 0;
        for (int j = 0; j < Fec.MAX_K; j++) {
            nz |= c[j] != 0 ? 1 << j : 0;
        }
        return nz;
    }

    /** Length prefix of recovered source {@code col}: coded bytes 0 and 1, the low bytes of word 0. */
    private int length(int col) {
        long w = out[col][0];
        return (int) (((w & 0xFF) << 8) | ((w >>> 8) & 0xFF));
    }

    private static int words(int bytes) {
        return (bytes + Long.BYTES - 1) / Long.BYTES;
    }

    /**
     * Sources recovered by decoding and not yet taken (bit j = source j); each is read
     * once with {@link #take}. A source received directly never appears here.
     */
    public int recovered() {
        return known & ~delivered;
    }

    /**
     * Copies recovered source {@code index} into {@code dst} at absolute
     * {@code dstIndex} and marks it delivered.
     *
     * @return its data length, or -1 if it is not a recovered source waiting (never
     *     garbage: unknown sources are never copied)
     * @throws IndexOutOfBoundsException if it does not fit before {@code dst}'s limit
     */
    public int take(int index, ByteBuffer dst, int dstIndex) {
        Objects.checkIndex(index, Fec.MAX_K);
        if ((recovered() & (1 << index)) == 0) {
            return -1;
        }
        int length = length(index);
        scratchWords.put(0, out[index], 0, words(Fec.LENGTH_PREFIX_BYTES + length));
        dst.put(dstIndex, scratch, Fec.LENGTH_PREFIX_BYTES, length);
        delivered |= 1 << index;
        recoveredOut++;
        return length;
    }

    /** Whether source {@code index} is known: received, or recovered. */
    public boolean isKnown(int index) {
        Objects.checkIndex(index, Fec.MAX_K);
        return (known & (1 << index)) != 0;
    }

    /** True once k (from a repair header) is known and every source is. */
    public boolean isDecoded() {
        return k != 0 && rank == k;
    }

    /**
     * Sources of the generation not known now, or -1 while k is unknown (no repair
     * arrived: then only the sources received are known, and they were delivered).
     * Called when a generation is abandoned, this is its unrecoverable loss.
     */
    public int missing() {
        return k == 0 ? -1 : k - Integer.bitCount(known);
    }

    /** Sources known: received directly or recovered (bit j = source j). */
    public int knownMask() {
        return known;
    }

    public int generation() {
        return generation;
    }

    /** The generation's k from its repairs; 0 until a repair arrived. */
    public int k() {
        return k;
    }

    /** Linearly independent symbols held. */
    public int rank() {
        return rank;
    }

    /** Coded bytes the rows span: 2 + the longest source, as far as seen. */
    public int width() {
        return width;
    }

    public long drops(FecDrop reason) {
        return drops[reason.id()];
    }

    /** Reason of the most recent {@link #DROPPED} result (or corrupt recovery), or null. */
    public FecDrop lastDrop() {
        return lastDrop;
    }

    public long sourcesIn() {
        return sourcesIn;
    }

    public long repairsIn() {
        return repairsIn;
    }

    /** Symbols that added nothing: duplicates, late sources, repairs beyond rank k. */
    public long redundant() {
        return redundant;
    }

    /** Sources handed out by {@link #take}: the losses FEC repaired. */
    public long recoveredOut() {
        return recoveredOut;
    }

    private int drop(FecDrop reason) {
        drops[reason.id()]++;
        lastDrop = reason;
        return DROPPED;
    }
}
