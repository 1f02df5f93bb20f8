package org.m13.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Random;
import org.m13.fec.Fec;
import org.m13.fec.FecDecoder;
import org.m13.fec.FecEncoder;
import org.m13.fec.FecHeader;

/**
 * FEC throughput per CPU-second, beside FecBenchmark's wall-clock figures: on a
 * shared, loaded machine the benchmark thread gets only part of a core, and the
 * thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime}) says what a core
 * does while it runs the code. Same scenario as FecBenchmark (k = 16, m = 4,
 * 1400-byte symbols, decode with sources 0, 5, 9 and 15 lost); 2 s per phase, 4 rounds.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) org.m13.bench.FecCpuTime
 * </pre>
 */
public final class FecCpuTime {
    private static final int K = 16;
    private static final int M = 4;
    private static final int SYMBOL = Fec.MAX_SYMBOL_BYTES;
    private static final int LOST = 1 | 1 << 5 | 1 << 9 | 1 << 15;
    private static final long PHASE_NANOS = 2_000_000_000L;

    private FecCpuTime() {
    }

    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        FecEncoder encoder = new FecEncoder(SYMBOL);
        FecDecoder decoder = new FecDecoder(SYMBOL);
        ByteBuffer[] bodies = new ByteBuffer[K + M];
        int[] lengths = new int[K + M];
        Random random = new Random(1);
        for (int s = 0; s < K + M; s++) {
            bodies[s] = ByteBuffer.allocateDirect(FecHeader.BYTES + Fec.LENGTH_PREFIX_BYTES + SYMBOL);
            byte[] data = new byte[SYMBOL];
            random.nextBytes(data);
            bodies[s].put(FecHeader.BYTES, data);
            lengths[s] = FecHeader.BYTES + SYMBOL;
        }
        ByteBuffer out = ByteBuffer.allocateDirect(SYMBOL);
        double megabytes = K * SYMBOL / 1e6;
        long sink = 0;
        for (int round = 0; round < 4; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long encoded = 0;
            while (System.nanoTime() - wall0 < PHASE_NANOS) {
                encoder.begin((int) encoded, K, M, 7);
                for (int s = 0; s < K; s++) {
                    sink += encoder.addSource(bodies[s], 0, SYMBOL);
                }
                for (int r = 0; r < M; r++) {
                    lengths[K + r] = encoder.writeRepair(r, bodies[K + r], 0);
                }
                encoded++;
            }
            long cpu1 = threads.getCurrentThreadCpuTime();
            long wall1 = System.nanoTime();
            int generation = encoder.generation();
            long decoded = 0;
            while (System.nanoTime() - wall1 < PHASE_NANOS) {
                decoder.reset(generation);
                for (int s = 0; s < K + M; s++) {
                    if ((LOST & (1 << s)) == 0) {
                        sink += decoder.add(bodies[s], 0, lengths[s]);
                    }
                }
                for (int rec = decoder.recovered(); rec != 0; rec &= rec - 1) {
                    sink += decoder.take(Integer.numberOfTrailingZeros(rec), out, 0);
                }
                decoded++;
            }
            long cpu2 = threads.getCurrentThreadCpuTime();
            long wall2 = System.nanoTime();
            System.out.printf("round %d: encode %.0f MB/s wall, %.0f MB/CPU-s | decode %.0f MB/s wall, %.0f MB/CPU-s%n",
                    round, encoded * megabytes / ((wall1 - wall0) / 1e9), encoded * megabytes / ((cpu1 - cpu0) / 1e9),
                    decoded * megabytes / ((wall2 - wall1) / 1e9), decoded * megabytes / ((cpu2 - cpu1) / 1e9));
        }
        System.out.println("(checksum " + (sink & 0xFF) + ")");
    }
}
