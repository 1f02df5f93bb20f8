package org.m13.fec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * Systematic RLNC encoder for one generation at a time. One instance per sending
 * peer, used by one thread.
 *
 * <p>Streaming: each source symbol is added to all m repair accumulators as it passes
 * ({@code repair_r ^= c(r, j) * coded_j}), so the
 * encoder keeps no copy of the sources and the repairs are ready the moment the last
 * source went out. The caller builds each frame with 8 bytes free for the FEC header
 * at the start of the body; {@link #addSource} writes that header, {@link #writeRepair}
 * writes a repair's header and payload. Memory is preallocated for
 * {@value Fec#MAX_M} repairs of the capacity given; nothing is allocated per symbol.
 *
 * <p>Kernel: the m multiply-adds of one source share its eight powers {@code s * 2^b}
 * (bit-sliced, {@link Gf256#powers}); each repair then XORs in the powers its
 * coefficient selects. Symbols are held as {@code long} words for that (little
 * endian; only lane-wise operations touch them). At m = 4 this is several times the
 * speed of four table-driven multiply-adds (see FecBenchmark).
 *
 * <p>Life cycle: {@link #begin} opens a generation with a planned k and m; up to k
 * {@link #addSource} calls; then {@link #writeRepair} for r in 0..m-1 (in any order,
 * each as often as wanted). The first repair seals the generation: the repair header
 * carries k = the number of sources actually added, so a sender that must not wait
 * (a latency bound, end of a burst) closes the generation early by writing its
 * repairs before it is full.
 */
public final class FecEncoder {
    private final FecHeader header = new FecHeader();
    private final Coefficients coefficients = new Coefficients();
    private final int capacity;
    private final long[][] repairs;
    private final long[][] powers;
    private final byte[] scratch;
    private final LongBuffer scratchWords;

    private int generation;
    private int k;
    private int m;
    private int seed;
    private int sources;
    private int width;
    private boolean open;
    private boolean sealed;

    /** @param symbolCapacity largest source symbol, 1..{@value Fec#MAX_CAPACITY} ({@value Fec#MAX_SYMBOL_BYTES} for the wire) */
    public FecEncoder(int symbolCapacity) {
        capacity = Fec.checkCapacity(symbolCapacity);
        int words = words(Fec.LENGTH_PREFIX_BYTES + capacity);
        repairs = new long[Fec.MAX_M][words];
        powers = new long[8][words];
        scratch = new byte[words * Long.BYTES];
        scratchWords = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
    }

    /**
     * Opens a generation, discarding the current one.
     *
     * @param generation id, low 16 bits used (the sender's counter, unmasked)
     * @param k planned source symbols, 1..{@value Fec#MAX_K}
     * @param m repair symbols, 0..{@value Fec#MAX_M} (0: sources carry the header, no repairs)
     * @param seed low 16 bits used; selects the coefficients with the generation
     */
    public void begin(int generation, int k, int m, int seed) {
        if (k < 1 || k > Fec.MAX_K) {
            throw new IllegalArgumentException("k " + k + " outside 1.." + Fec.MAX_K);
        }
        if (m < 0 || m > Fec.MAX_M) {
            throw new IllegalArgumentException("m " + m + " outside 0.." + Fec.MAX_M);
        }
        for (int r = 0; r < this.m; r++) { // only the previous generation's repairs were written
            Arrays.fill(repairs[r], 0, words(width), 0L);
        }
        this.generation = generation & 0xFFFF;
        this.k = k;
        this.m = m;
        this.seed = seed & 0xFFFF;
        this.sources = 0;
        this.width = 0;
        this.open = true;
        this.sealed = false;
        coefficients.derive(this.seed, this.generation);
    }

    /**
     * Takes the next source symbol: its data is at absolute
     * {@code bodyIndex + }{@value FecHeader#BYTES} of {@code body}, {@code dataLength}
     * bytes; writes the FEC header at {@code bodyIndex} and folds the symbol into the
     * repairs. The frame body to send is then {@code 8 + dataLength} bytes.
     *
     * @return the source index given to the symbol (0..k-1)
     * @throws IllegalStateException if no generation is open, it is full or sealed
     * @throws IllegalArgumentException if {@code dataLength} is negative or above the capacity
     */
    public int addSource(ByteBuffer body, int bodyIndex, int dataLength) {
        if (!open || sealed || sources == k) {
            throw new IllegalStateException(!open ? "no generation open" : "generation full or sealed");
        }
        if (dataLength < 0 || dataLength > capacity) {
            throw new IllegalArgumentException("source of " + dataLength + " bytes, capacity " + capacity);
        }
        int index = sources;
        header.wrap(body, bodyIndex).generation(generation).index(index).k(k).m(m).reserved(0).seed(seed);
        int coded = Fec.LENGTH_PREFIX_BYTES + dataLength;
        if (m > 0) {
            scratch[0] = (byte) (dataLength >>> 8);
            scratch[1] = (byte) dataLength;
            body.get(bodyIndex + FecHeader.BYTES, scratch, Fec.LENGTH_PREFIX_BYTES, dataLength);
            int words = words(coded);
            Arrays.fill(scratch, coded, words * Long.BYTES, (byte) 0);
            scratchWords.get(0, powers[0], 0, words);
            Gf256.powers(powers, words);
            for (int r = 0; r < m; r++) {
                Gf256.mulAddPowers(coefficients.coefficient(r, index), powers, repairs[r], words);
            }
        }
        width = Math.max(width, coded);
        sources++;
        return index;
    }

    /**
     * Writes repair {@code r} (header and coded payload) at absolute {@code bodyIndex}
     * and seals the generation (no more sources).
     *
     * @return the frame body length: 8 + {@link #repairPayloadBytes()}
     * @throws IllegalStateException if no source was added
     * @throws IllegalArgumentException if {@code r} is not below m
     * @throws IndexOutOfBoundsException if the repair does not fit before the limit
     */
    public int writeRepair(int r, ByteBuffer body, int bodyIndex) {
        if (!open || sources == 0) {
            throw new IllegalStateException("no source in the generation");
        }
        if (r < 0 || r >= m) {
            throw new IllegalArgumentException("repair " + r + " outside 0.." + (m - 1));
        }
        sealed = true;
        header.wrap(body, bodyIndex).generation(generation).index(sources + r).k(sources).m(m).reserved(0).seed(seed);
        scratchWords.put(0, repairs[r], 0, words(width));
        body.put(bodyIndex + FecHeader.BYTES, scratch, 0, width);
        return FecHeader.BYTES + width;
    }

    private static int words(int bytes) {
        return (bytes + Long.BYTES - 1) / Long.BYTES;
    }

    /** Coded payload length of a repair: 2 + the longest source so far. */
    public int repairPayloadBytes() {
        return width;
    }

    public int generation() {
        return generation;
    }

    /** Sources added to the current generation. */
    public int sources() {
        return sources;
    }

    /** True when the current generation holds its planned k sources. */
    public boolean full() {
        return open && sources == k;
    }

    public int k() {
        return k;
    }

    public int m() {
        return m;
    }

    public int capacity() {
        return capacity;
    }
}
