package org.m13.bench;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.m13.fec.Fec;
import org.m13.fec.FecDecoder;
import org.m13.fec.FecEncoder;
import org.m13.fec.FecHeader;
import org.m13.fec.Gf256;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * RLNC FEC at k = 16, m = 4, 1400-byte symbols: one generation per operation. Besides
 * ops/s (generations/s), JMH reports the secondary result {@code sourceBytes}: source
 * bytes (16 x 1400 per generation) per second, divide by 10^6 for MB/s.
 * <ul>
 * <li>{@code encode}: 16 sources folded into 4 repairs, headers written, 4 repairs copied out;
 * <li>{@code decode}: sources 0, 5, 9 and 15 lost; 12 sources and 4 repairs in, the 4
 *     recovered sources copied out;
 * <li>{@code decodeNoLoss}: all 16 sources in (the cost of keeping them for a repair);
 * <li>{@code mulAdd}: the table kernel alone, one 1400-byte multiply-add
 *     ({@code sourceBytes} = 1400);
 * <li>{@code mulAddBitSliced4}: the bit-sliced kernel as the encoder uses it, the
 *     powers of one 1400-byte symbol then four multiply-adds ({@code sourceBytes} =
 *     4 x 1400, comparable with {@code mulAdd}).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class FecBenchmark {
    private static final int K = 16;
    private static final int M = 4;
    private static final int SYMBOL = Fec.MAX_SYMBOL_BYTES;
    private static final int LOST = 1 | 1 << 5 | 1 << 9 | 1 << 15;

    private final FecEncoder encoder = new FecEncoder(SYMBOL);
    private final FecDecoder decoder = new FecDecoder(SYMBOL);
    private final ByteBuffer[] bodies = new ByteBuffer[K + M];
    private final int[] lengths = new int[K + M];
    private final ByteBuffer out = ByteBuffer.allocateDirect(SYMBOL);
    private final byte[] src = new byte[SYMBOL];
    private final byte[] dst = new byte[SYMBOL];
    private static final int WORDS = (SYMBOL + 7) / 8;
    private final long[][] powers = new long[8][WORDS];
    private final long[][] accumulators = new long[M][WORDS];
    private int generation;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(1);
        random.nextBytes(src);
        for (int i = 0; i < WORDS; i++) {
            powers[0][i] = random.nextLong();
        }
        for (int s = 0; s < K + M; s++) {
            bodies[s] = ByteBuffer.allocateDirect(FecHeader.BYTES + Fec.LENGTH_PREFIX_BYTES + SYMBOL);
            byte[] data = new byte[SYMBOL];
            random.nextBytes(data);
            bodies[s].put(FecHeader.BYTES, data);
        }
        // One encoded generation that decode feeds again and again.
        encoder.begin(0, K, M, 7);
        for (int s = 0; s < K; s++) {
            if (encoder.addSource(bodies[s], 0, SYMBOL) != s) {
                throw new IllegalStateException("source index");
            }
            lengths[s] = FecHeader.BYTES + SYMBOL;
        }
        for (int r = 0; r < M; r++) {
            lengths[K + r] = encoder.writeRepair(r, bodies[K + r], 0);
        }
    }

    /** Bytes handled, reported by JMH as a rate next to ops/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long sourceBytes;

        @Setup(Level.Iteration)
        public void reset() {
            sourceBytes = 0;
        }
    }

    @Benchmark
    public int encode(Bytes bytes) {
        bytes.sourceBytes += K * SYMBOL;
        // Encodes into the first 16 bodies' headers and 4 scratch repairs: same data every time.
        encoder.begin(++generation, K, M, generation);
        int total = 0;
        for (int s = 0; s < K; s++) {
            total += encoder.addSource(bodies[s], 0, SYMBOL);
        }
        for (int r = 0; r < M; r++) {
            total += encoder.writeRepair(r, bodies[K + r], 0);
        }
        return total;
    }

    @Benchmark
    public int decode(Bytes bytes) {
        bytes.sourceBytes += K * SYMBOL;
        return feed(LOST);
    }

    @Benchmark
    public int decodeNoLoss(Bytes bytes) {
        bytes.sourceBytes += K * SYMBOL;
        return feed(0xF0000); // all sources, no repair
    }

    private int feed(int skip) {
        int generationId = bodies[0].getShort(FecHeader.GENERATION_OFFSET) & 0xFFFF;
        decoder.reset(generationId);
        int sum = 0;
        for (int s = 0; s < K + M; s++) {
            if ((skip & (1 << s)) == 0) {
                sum += decoder.add(bodies[s], 0, lengths[s]);
            }
        }
        int recovered = decoder.recovered();
        while (recovered != 0) {
            int index = Integer.numberOfTrailingZeros(recovered);
            recovered &= recovered - 1;
            sum += decoder.take(index, out, 0);
        }
        return sum;
    }

    @Benchmark
    public byte[] mulAdd(Bytes bytes) {
        bytes.sourceBytes += SYMBOL;
        Gf256.mulAdd(0x53, src, 0, dst, 0, SYMBOL);
        return dst;
    }

    @Benchmark
    public long[][] mulAddBitSliced4(Bytes bytes) {
        bytes.sourceBytes += M * SYMBOL;
        Gf256.powers(powers, WORDS);
        Gf256.mulAddPowers(0x53, powers, accumulators[0], WORDS);
        Gf256.mulAddPowers(0xCA, powers, accumulators[1], WORDS);
        Gf256.mulAddPowers(0x1F, powers, accumulators[2], WORDS);
        Gf256.mulAddPowers(0xE7, powers, accumulators[3], WORDS);
        return accumulators;
    }
}
