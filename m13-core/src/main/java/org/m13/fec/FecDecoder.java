package org.m13.fec;

import java.nio.ByteBuffer;
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
 * <p>Unequal lengths: every row's payload is the coded form {@code length (u16) |
 * data | zeros}; the decoder works on the first {@link #width()} bytes (the longest
 * coded payload seen), zero-extending older rows when a longer symbol arrives. A
 * recovered source's data length is its recovered prefix; a prefix beyond the width
 * can only come from a sender bug and is dropped as {@link FecDrop#CORRUPT}.
 *
 * <p>Memory: 32 rows of {@code 2 + capacity} bytes and 32 x 32 coefficients,
 * preallocated; nothing is allocated per symbol. Results are int constants, drop
 * reasons are counted by {@link FecDrop} id.
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
    private final byte[][] payload;
    private final byte[][] coef;
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
        payload = new byte[Fec.MAX_K][Fec.LENGTH_PREFIX_BYTES + capacity];
        coef = new byte[Fec.MAX_K][Fec.MAX_K];
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
        if (h.reserved() != 0) {
            return drop(FecDrop.NONZERO_RESERVED);
        }
        int hk = h.k();
        int hm = h.m();
        int index = h.index();
        if (hk == 0 || hk > Fec.MAX_K) {
            return drop(FecDrop.BAD_K);
        }
        if (hm > Fec.MAX_M) {
            return drop(FecDrop.BAD_M);
        }
        if (index >= hk + hm) {
            return drop(FecDrop.BAD_INDEX);
        }
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
        byte[] p = payload[row];
        p[0] = (byte) (length >>> 8);
        p[1] = (byte) length;
        buffer.get(at, p, Fec.LENGTH_PREFIX_BYTES, length);
        store(row, coded);
        if (!eliminate(row)) {
            throw new IllegalStateException("a source not yet known was not innovative"); // cannot happen
        }
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
        buffer.get(at, payload[row], 0, length);
        store(row, length);
        if (!eliminate(row)) {
            redundant++;
            return REDUNDANT;
        }
        return REPAIR;
    }

    /** Zero-extends row {@code row}, of {@code coded} bytes, and the rows held, to a common width. */
    private void store(int row, int coded) {
        if (coded > width) {
            for (int q = 0; q < rank; q++) {
                Arrays.fill(payload[q], width, coded, (byte) 0);
            }
            width = coded;
        } else {
            Arrays.fill(payload[row], coded, width, (byte) 0);
        }
    }

    /**
     * Reduces row {@code row} (the next free one) by the rows held and, if anything is
     * left, adds it to the echelon form. Returns whether it was innovative.
     */
    private boolean eliminate(int row) {
        byte[] c = coef[row];
        byte[] p = payload[row];
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
                Gf256.mulAdd(f, payload[q], 0, p, 0, width);
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
        Gf256.scale(inv, p, 0, width);
        int colBit = 1 << col;
        for (int q = 0; q < rank; q++) {
            if ((nonZero[q] & colBit) != 0) {
                int g = coef[q][col] & 0xFF;
                Gf256.mulAdd(g, c, 0, coef[q], 0, Fec.MAX_K);
                Gf256.mulAdd(g, p, 0, payload[q], 0, width);
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

    /** A row with one non-zero column is a source symbol: check its length prefix and record it. */
    private void markIfKnown(int row) {
        int nz = nonZero[row];
        if (Integer.bitCount(nz) != 1 || (known & nz) != 0) {
            return;
        }
        if ((received & nz) == 0 && length(row) > width - Fec.LENGTH_PREFIX_BYTES) {
            drops[FecDrop.CORRUPT.id()]++;
            lastDrop = FecDrop.CORRUPT;
            delivered |= nz; // never hand it out
        }
        known |= nz;
    }

    private static int nonZeroColumns(byte[] c) {
        int nz = 0;
        for (int j = 0; j < Fec.MAX_K; j++) {
            nz |= c[j] != 0 ? 1 << j : 0;
        }
        return nz;
    }

    private int length(int row) {
        byte[] p = payload[row];
        return ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
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
        int row = pivotRow[index];
        int length = length(row);
        dst.put(dstIndex, payload[row], Fec.LENGTH_PREFIX_BYTES, length);
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
