package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FecCodecTest {
    private static final int CAP = Fec.MAX_SYMBOL_BYTES;

    /** One encoded generation: the source data and every frame body (sources, then repairs). */
    private static final class Generation {
        final byte[][] data;
        final List<ByteBuffer> bodies = new ArrayList<>();

        Generation(byte[][] data) {
            this.data = data;
        }
    }

    private static Generation encode(FecEncoder encoder, int generation, int k, int m, int seed, byte[][] data) {
        encoder.begin(generation, k, m, seed);
        Generation g = new Generation(data);
        for (int i = 0; i < data.length; i++) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + data[i].length);
            body.put(FecHeader.BYTES, data[i]);
            assertEquals(i, encoder.addSource(body, 0, data[i].length));
            g.bodies.add(body);
        }
        for (int r = 0; r < m; r++) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + Fec.LENGTH_PREFIX_BYTES + CAP);
            int length = encoder.writeRepair(r, body, 0);
            g.bodies.add(body.limit(length));
        }
        return g;
    }

    private static byte[][] randomData(Random random, int k, boolean unequal) {
        byte[][] data = new byte[k][];
        for (int i = 0; i < k; i++) {
            data[i] = new byte[unequal ? random.nextInt(CAP + 1) : CAP];
            random.nextBytes(data[i]);
        }
        return data;
    }

    /** What a receiver ends with: each source delivered exactly once, or null. */
    private static byte[][] deliver(FecDecoder decoder, List<ByteBuffer> bodies, int k) {
        byte[][] out = new byte[k][];
        ByteBuffer dst = ByteBuffer.allocate(CAP);
        for (ByteBuffer body : bodies) {
            int result = decoder.add(body, 0, body.limit());
            if (result == FecDecoder.SOURCE) {
                int index = body.get(FecHeader.INDEX_OFFSET);
                assertEquals(null, out[index], "source " + index + " delivered twice");
                out[index] = new byte[body.limit() - FecHeader.BYTES];
                body.get(FecHeader.BYTES, out[index]);
            }
            assertEquals(true, result != FecDecoder.DROPPED, "dropped: " + decoder.lastDrop());
            int recovered = decoder.recovered();
            while (recovered != 0) {
                int index = Integer.numberOfTrailingZeros(recovered);
                recovered &= recovered - 1;
                int length = decoder.take(index, dst, 0);
                assertEquals(null, out[index], "source " + index + " delivered twice");
                out[index] = new byte[length];
                dst.get(0, out[index]);
            }
        }
        return out;
    }

    @Test
    void recoversFromEveryErasurePatternUpToMAndFailsCleanlyBeyond() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        Random random = new Random(11);
        int patterns = 0;
        int beyond = 0;
        int generation = 0;
        for (int k : new int[] {1, 2, 4, 8}) {
            for (int m : new int[] {1, 2, 4}) {
                int n = k + m;
                for (int lost = 0; lost < 1 << n; lost++) {
                    int erasures = Integer.bitCount(lost);
                    if (erasures > m + 1) {
                        continue;
                    }
                    Generation g = encode(encoder, ++generation, k, m, random.nextInt(1 << 16),
                            randomData(random, k, (lost & 1) == 0));
                    List<ByteBuffer> arriving = new ArrayList<>();
                    for (int s = 0; s < n; s++) {
                        if ((lost & (1 << s)) == 0) {
                            arriving.add(g.bodies.get(s));
                        }
                    }
                    Collections.shuffle(arriving, random);
                    decoder.reset(generation);
                    byte[][] out = deliver(decoder, arriving, k);
                    int lostSources = Integer.bitCount(lost & ((1 << k) - 1));
                    int lostRepairs = erasures - lostSources;
                    String what = "k=" + k + " m=" + m + " lost=" + Integer.toBinaryString(lost);
                    if (erasures <= m) {
                        patterns++;
                        boolean repairArrived = lostRepairs < m;
                        assertEquals(repairArrived, decoder.isDecoded(), what);
                        for (int i = 0; i < k; i++) {
                            assertArrayEquals(g.data[i], out[i], what + " source " + i);
                        }
                        assertEquals(repairArrived ? 0 : -1, decoder.missing(), what);
                    } else {
                        beyond++;
                        // One symbol short of k: nothing but the sources received is known.
                        assertEquals(false, decoder.isDecoded(), what);
                        assertEquals(0, decoder.recovered(), what);
                        for (int i = 0; i < k; i++) {
                            if ((lost & (1 << i)) != 0) {
                                assertEquals(null, out[i], what + " source " + i);
                                assertEquals(false, decoder.isKnown(i));
                                assertEquals(-1, decoder.take(i, ByteBuffer.allocate(CAP), 0));
                            } else {
                                assertArrayEquals(g.data[i], out[i], what + " source " + i);
                            }
                        }
                        assertEquals(lostRepairs < m ? lostSources : -1, decoder.missing(), what);
                    }
                }
            }
        }
        int expectedPatterns = 0;
        for (int k : new int[] {1, 2, 4, 8}) {
            for (int m : new int[] {1, 2, 4}) {
                for (int e = 0; e <= m; e++) {
                    expectedPatterns += binomial(k + m, e);
                }
            }
        }
        assertEquals(expectedPatterns, patterns);
        assertEquals(true, beyond > 0);
    }

    private static int binomial(int n, int r) {
        long b = 1;
        for (int i = 0; i < r; i++) {
            b = b * (n - i) / (i + 1);
        }
        return (int) b;
    }

    @Test
    void sourcesPassThroughAtOnceAndAreKnownBeforeAnyRepair() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        Generation g = encode(encoder, 9, 4, 2, 77, randomData(new Random(3), 4, true));
        decoder.reset(9);
        assertEquals(FecDecoder.SOURCE, decoder.add(g.bodies.get(2), 0, g.bodies.get(2).limit()));
        assertEquals(true, decoder.isKnown(2));
        assertEquals(false, decoder.isKnown(0));
        assertEquals(-1, decoder.missing()); // k unknown until a repair arrives
        assertEquals(0, decoder.recovered()); // a source received is the caller's, never "recovered"
        assertEquals(FecDecoder.REPAIR, decoder.add(g.bodies.get(5), 0, g.bodies.get(5).limit()));
        assertEquals(4, decoder.k());
        assertEquals(3, decoder.missing()); // only source 2 known of k = 4
        assertEquals(FecDecoder.SOURCE, decoder.add(g.bodies.get(0), 0, g.bodies.get(0).limit()));
        assertEquals(FecDecoder.REPAIR, decoder.add(g.bodies.get(4), 0, g.bodies.get(4).limit()));
        assertEquals(true, decoder.isDecoded());
        assertEquals(0b1010, decoder.recovered());
        // Source 1 arrives late, after it was recovered but before it was taken: deliver it, once.
        assertEquals(FecDecoder.SOURCE, decoder.add(g.bodies.get(1), 0, g.bodies.get(1).limit()));
        assertEquals(0b1000, decoder.recovered());
        ByteBuffer dst = ByteBuffer.allocate(CAP);
        int length = decoder.take(3, dst, 0);
        byte[] got = new byte[length];
        dst.get(0, got);
        assertArrayEquals(g.data[3], got);
        assertEquals(-1, decoder.take(3, dst, 0));
        // Late source 3 after it was taken: a duplicate.
        assertEquals(FecDecoder.REDUNDANT, decoder.add(g.bodies.get(3), 0, g.bodies.get(3).limit()));
        assertEquals(1, decoder.recoveredOut());
    }

    @Test
    void duplicatesAreIgnoredInAnyOrder() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        Random random = new Random(21);
        for (int trial = 0; trial < 50; trial++) {
            Generation g = encode(encoder, trial, 8, 4, trial, randomData(random, 8, true));
            List<ByteBuffer> arriving = new ArrayList<>();
            for (int s = 0; s < 12; s++) {
                if (s != 1 && s != 6) {
                    arriving.add(g.bodies.get(s));
                    arriving.add(g.bodies.get(s));
                }
            }
            Collections.shuffle(arriving, random);
            decoder.reset(trial);
            long redundantBefore = decoder.redundant();
            byte[][] out = deliver(decoder, arriving, 8);
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(g.data[i], out[i]);
            }
            // 20 symbols arrived; 8 raised the rank; the other 12 are duplicates or beyond rank k.
            assertEquals(12, decoder.redundant() - redundantBefore);
            assertEquals(8, decoder.rank());
        }
    }

    @Test
    void unequalLengthsIncludingEmptyAndFullRecoverByteExact() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        byte[][] data = {new byte[0], new byte[CAP], new byte[1], new byte[700]};
        new Random(4).nextBytes(data[1]);
        data[2][0] = 42;
        new Random(5).nextBytes(data[3]);
        Generation g = encode(encoder, 1, 4, 3, 5, data);
        assertEquals(2 + CAP, encoder.repairPayloadBytes());
        // Lose the empty, the longest and the 1-byte source: width grows when the first repair comes.
        decoder.reset(1);
        byte[][] out = deliver(decoder, List.of(g.bodies.get(3), g.bodies.get(4), g.bodies.get(6), g.bodies.get(5)), 4);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(data[i], out[i], "source " + i);
        }
        assertEquals(2 + CAP, decoder.width());
    }

    @Test
    void aGenerationClosedEarlyDecodesWithTheRepairsK() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        byte[][] data = randomData(new Random(6), 5, true);
        encoder.begin(300, 16, 2, 9);
        List<ByteBuffer> bodies = new ArrayList<>();
        for (byte[] d : data) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + d.length).put(FecHeader.BYTES, d);
            assertEquals(bodies.size(), encoder.addSource(body, 0, d.length));
            assertEquals(16, body.get(FecHeader.K_OFFSET)); // planned k
            bodies.add(body);
        }
        assertEquals(false, encoder.full());
        for (int r = 0; r < 2; r++) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + 2 + CAP);
            body.limit(encoder.writeRepair(r, body, 0));
            assertEquals(5, body.get(FecHeader.K_OFFSET)); // actual k
            assertEquals(5 + r, body.get(FecHeader.INDEX_OFFSET));
            bodies.add(body);
        }
        assertThrows(IllegalStateException.class, () -> encoder.addSource(ByteBuffer.allocate(100), 0, 10));
        decoder.reset(300);
        byte[][] out = deliver(decoder, List.of(bodies.get(0), bodies.get(2), bodies.get(4), bodies.get(5),
                bodies.get(6)), 5);
        assertEquals(true, decoder.isDecoded());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(data[i], out[i]);
        }
    }

    /** k = 16, m = 4, 10 % random loss, random order, 3000 generations: every decodable one decodes. */
    @Test
    void randomizedLossAtK16M4() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        Random random = new Random(0xF3C);
        int decoded = 0;
        int failed = 0;
        for (int generation = 0; generation < 3000; generation++) {
            Generation g = encode(encoder, generation, 16, 4, random.nextInt(1 << 16), randomData(random, 16, true));
            List<ByteBuffer> arriving = new ArrayList<>();
            int lostSources = 0;
            for (int s = 0; s < 20; s++) {
                if (random.nextInt(10) != 0) {
                    arriving.add(g.bodies.get(s));
                } else if (s < 16) {
                    lostSources++;
                }
            }
            Collections.shuffle(arriving, random);
            decoder.reset(generation);
            byte[][] out = deliver(decoder, arriving, 16);
            boolean enough = arriving.size() >= 16;
            boolean anyRepair = arriving.size() > 16 - lostSources;
            assertEquals(enough && anyRepair, decoder.isDecoded(), "generation " + generation);
            for (int i = 0; i < 16; i++) {
                if (out[i] != null || decoder.isDecoded()) {
                    assertArrayEquals(g.data[i], out[i], "generation " + generation + " source " + i);
                }
            }
            if (enough) {
                decoded++;
            } else {
                failed++;
                assertEquals(true, decoder.missing() == lostSources || decoder.missing() == -1);
            }
        }
        // P(more than 4 of 20 lost at 10 %) = 4.3 %: the seed gives a fixed count in that region.
        assertEquals(3000, decoded + failed);
        assertEquals(true, failed > 60 && failed < 200, "failed " + failed);
    }

    @Test
    void dropsWhatAHeaderMayNotSayAndKeepsDecoding() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        Generation g = encode(encoder, 40, 4, 2, 3, randomData(new Random(7), 4, false));
        decoder.reset(40);
        ByteBuffer source = g.bodies.get(0);
        ByteBuffer repair = g.bodies.get(4);
        assertDrop(decoder, FecDrop.TRUNCATED, source, 7);
        assertDrop(decoder, FecDrop.NONZERO_RESERVED, edit(source, FecHeader.RESERVED_OFFSET, 1), source.limit());
        assertDrop(decoder, FecDrop.BAD_K, edit(source, FecHeader.K_OFFSET, 0), source.limit());
        assertDrop(decoder, FecDrop.BAD_K, edit(source, FecHeader.K_OFFSET, 33), source.limit());
        assertDrop(decoder, FecDrop.BAD_M, edit(repair, FecHeader.M_OFFSET, 33), repair.limit());
        assertDrop(decoder, FecDrop.BAD_INDEX, edit(repair, FecHeader.INDEX_OFFSET, 6), repair.limit());
        assertDrop(decoder, FecDrop.WRONG_GENERATION, edit(source, FecHeader.GENERATION_OFFSET + 1, 41),
                source.limit());
        ByteBuffer huge = ByteBuffer.allocate(FecHeader.BYTES + CAP + 3).put(0, source, 0, FecHeader.BYTES);
        assertDrop(decoder, FecDrop.TOO_LONG, huge, CAP + 1 + FecHeader.BYTES);
        assertDrop(decoder, FecDrop.TOO_LONG, huge.put(FecHeader.INDEX_OFFSET, (byte) 4), huge.limit());
        assertDrop(decoder, FecDrop.SHORT_REPAIR, repair, FecHeader.BYTES + 1);
        // Source 3 held: a repair claiming k = 3 contradicts it.
        assertEquals(FecDecoder.SOURCE, decoder.add(g.bodies.get(3), 0, g.bodies.get(3).limit()));
        ByteBuffer k3 = edit(edit(repair, FecHeader.K_OFFSET, 3), FecHeader.INDEX_OFFSET, 3);
        assertDrop(decoder, FecDrop.K_MISMATCH, k3, k3.limit());
        assertEquals(FecDecoder.REPAIR, decoder.add(repair, 0, repair.limit()));
        ByteBuffer other = g.bodies.get(5);
        ByteBuffer k5 = edit(edit(other, FecHeader.K_OFFSET, 5), FecHeader.INDEX_OFFSET, 6);
        assertDrop(decoder, FecDrop.K_MISMATCH, k5, k5.limit());
        assertDrop(decoder, FecDrop.SEED_MISMATCH, edit(other, FecHeader.SEED_OFFSET + 1, 4), other.limit());
        assertDrop(decoder, FecDrop.BAD_INDEX, edit(edit(source, FecHeader.K_OFFSET, 8), FecHeader.INDEX_OFFSET, 5),
                source.limit());
        // Nothing dropped changed the state: sources 0 and 2 still come back from 1, 3 and both repairs.
        assertEquals(FecDecoder.REPAIR, decoder.add(other, 0, other.limit()));
        assertEquals(FecDecoder.SOURCE, decoder.add(g.bodies.get(1), 0, g.bodies.get(1).limit()));
        assertEquals(true, decoder.isDecoded());
        assertEquals(0b0101, decoder.recovered());
        ByteBuffer dst = ByteBuffer.allocate(CAP);
        for (int i : new int[] {0, 2}) {
            byte[] got = new byte[decoder.take(i, dst, 0)];
            dst.get(0, got);
            assertArrayEquals(g.data[i], got);
        }
    }

    private static void assertDrop(FecDecoder decoder, FecDrop reason, ByteBuffer body, int length) {
        long before = decoder.drops(reason);
        assertEquals(FecDecoder.DROPPED, decoder.add(body, 0, length), reason.name());
        assertEquals(reason, decoder.lastDrop());
        assertEquals(before + 1, decoder.drops(reason));
    }

    /** A repair whose payload decodes to a length prefix beyond the width is never handed out. */
    @Test
    void aCorruptRecoveredLengthIsDroppedNotDelivered() {
        FecDecoder decoder = new FecDecoder(CAP);
        Coefficients coefficients = new Coefficients();
        coefficients.derive(1, 2);
        int c = coefficients.coefficient(0, 0);
        ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + 10);
        new FecHeader().wrap(body, 0).generation(2).index(1).k(1).m(1).reserved(0).seed(1);
        body.put(FecHeader.BYTES, (byte) Gf256.mul(c, 0xFF)).put(FecHeader.BYTES + 1, (byte) Gf256.mul(c, 0xFF));
        decoder.reset(2);
        assertEquals(FecDecoder.REPAIR, decoder.add(body, 0, body.limit()));
        assertEquals(true, decoder.isDecoded());
        assertEquals(0, decoder.recovered());
        assertEquals(-1, decoder.take(0, ByteBuffer.allocate(CAP), 0));
        assertEquals(1, decoder.drops(FecDrop.CORRUPT));
    }

    @Test
    void encoderRefusesMisuse() {
        FecEncoder encoder = new FecEncoder(100);
        ByteBuffer body = ByteBuffer.allocate(200);
        assertThrows(IllegalStateException.class, () -> encoder.addSource(body, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.begin(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> encoder.begin(0, 33, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> encoder.begin(0, 4, 33, 0));
        encoder.begin(0, 1, 1, 0);
        assertThrows(IllegalStateException.class, () -> encoder.writeRepair(0, body, 0));
        assertThrows(IllegalArgumentException.class, () -> encoder.addSource(body, 0, 101));
        assertEquals(0, encoder.addSource(body, 0, 100));
        assertEquals(true, encoder.full());
        assertThrows(IllegalStateException.class, () -> encoder.addSource(body, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> encoder.writeRepair(1, body, 0));
        assertEquals(FecHeader.BYTES + 2 + 100, encoder.writeRepair(0, body, 0));
        assertThrows(IllegalArgumentException.class, () -> new FecDecoder(0));
    }

    private static ByteBuffer edit(ByteBuffer body, int offset, int value) {
        ByteBuffer copy = ByteBuffer.allocate(body.limit()).put(0, body, 0, body.limit());
        copy.put(offset, (byte) value);
        return copy;
    }

    @Test
    void encodeAndDecodeDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        FecEncoder encoder = new FecEncoder(CAP);
        FecDecoder decoder = new FecDecoder(CAP);
        ByteBuffer[] bodies = new ByteBuffer[20];
        for (int s = 0; s < 20; s++) {
            bodies[s] = ByteBuffer.allocateDirect(FecHeader.BYTES + 2 + CAP);
        }
        byte[] data = new byte[CAP];
        new Random(8).nextBytes(data);
        for (int s = 0; s < 16; s++) {
            bodies[s].put(FecHeader.BYTES, data, 0, CAP - s);
        }
        ByteBuffer out = ByteBuffer.allocateDirect(CAP);
        long failures = run(encoder, decoder, bodies, out, 300); // warm up: JIT, class init
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        failures += run(encoder, decoder, bodies, out, 1000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, failures);
        assertEquals(true, allocated < 4096, "allocated " + allocated + " bytes over 1000 generations");
    }

    /** Generations of k = 16, m = 4 with sources 0, 5, 9, 15 lost; counts generations that did not decode. */
    private static long run(FecEncoder encoder, FecDecoder decoder, ByteBuffer[] bodies, ByteBuffer out, int count) {
        long failures = 0;
        int[] lengths = new int[20];
        for (int gen = 0; gen < count; gen++) {
            encoder.begin(gen, 16, 4, gen * 31);
            for (int s = 0; s < 16; s++) {
                failures += encoder.addSource(bodies[s], 0, CAP - s) == s ? 0 : 1;
                lengths[s] = FecHeader.BYTES + CAP - s;
            }
            for (int r = 0; r < 4; r++) {
                lengths[16 + r] = encoder.writeRepair(r, bodies[16 + r], 0);
            }
            decoder.reset(gen);
            for (int s = 19; s >= 0; s--) {
                if (s != 0 && s != 5 && s != 9 && s != 15) {
                    failures += decoder.add(bodies[s], 0, lengths[s]) > 0 ? 0 : 1;
                }
            }
            int recovered = decoder.recovered();
            failures += recovered == (1 | 1 << 5 | 1 << 9 | 1 << 15) ? 0 : 1;
            while (recovered != 0) {
                int index = Integer.numberOfTrailingZeros(recovered);
                recovered &= recovered - 1;
                failures += decoder.take(index, out, 0) == CAP - index ? 0 : 1;
            }
        }
        return failures;
    }
}
