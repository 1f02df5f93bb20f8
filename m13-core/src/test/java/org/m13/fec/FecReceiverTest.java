package org.m13.fec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FecReceiverTest {
    private static final int CAP = 200;

    /** Frame bodies of one generation (sources then repairs), and its source data. */
    private static List<ByteBuffer> encode(FecEncoder encoder, int generation, int k, int m, byte[][] data) {
        encoder.begin(generation, k, m, generation * 7);
        List<ByteBuffer> bodies = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + data[i].length).put(FecHeader.BYTES, data[i]);
            assertEquals(i, encoder.addSource(body, 0, data[i].length));
            bodies.add(body);
        }
        for (int r = 0; r < m; r++) {
            ByteBuffer body = ByteBuffer.allocate(FecHeader.BYTES + 2 + CAP);
            body.limit(encoder.writeRepair(r, body, 0));
            bodies.add(body);
        }
        return bodies;
    }

    private static byte[][] data(Random random, int k) {
        byte[][] d = new byte[k][];
        for (int i = 0; i < k; i++) {
            d[i] = new byte[1 + random.nextInt(CAP)];
            random.nextBytes(d[i]);
        }
        return d;
    }

    /** Feeds one symbol; records what the caller would deliver, keyed by generation * 32 + index. */
    private static void feed(FecReceiver receiver, ByteBuffer body, long now, byte[][] delivered) {
        int g = body.getShort(FecHeader.GENERATION_OFFSET) & 0xFFFF;
        int result = receiver.add(body, 0, body.limit(), now);
        if (result == FecDecoder.SOURCE) {
            int index = body.get(FecHeader.INDEX_OFFSET);
            byte[] d = new byte[body.limit() - FecHeader.BYTES];
            body.get(FecHeader.BYTES, d);
            delivered[(g % 64) * 32 + index] = d;
        }
        FecDecoder decoder = receiver.decoder();
        ByteBuffer dst = ByteBuffer.allocate(CAP);
        for (int rec = decoder.recovered(); rec != 0; rec &= rec - 1) {
            int index = Integer.numberOfTrailingZeros(rec);
            byte[] d = new byte[decoder.take(index, dst, 0)];
            dst.get(0, d);
            delivered[(g % 64) * 32 + index] = d;
        }
    }

    @Test
    void decodesInterleavedGenerationsAcrossTheSixteenBitWrap() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecReceiver receiver = new FecReceiver(4, CAP);
        Random random = new Random(5);
        int first = 0xFFFA; // generations 65530..65535, 0..9
        int count = 16;
        byte[][][] data = new byte[count][][];
        List<ByteBuffer> stream = new ArrayList<>();
        List<Integer> keys = new ArrayList<>();
        int withoutRepair = 0;
        for (int n = 0; n < count; n++) {
            data[n] = data(random, 8);
            List<ByteBuffer> bodies = encode(encoder, (first + n) & 0xFFFF, 8, 2, data[n]);
            // Lose two symbols of every generation.
            bodies.remove(random.nextInt(bodies.size()));
            bodies.remove(random.nextInt(bodies.size()));
            boolean anyRepair = false;
            for (ByteBuffer body : bodies) {
                anyRepair |= body.get(FecHeader.INDEX_OFFSET) >= 8;
            }
            withoutRepair += anyRepair ? 0 : 1;
            for (ByteBuffer body : bodies) {
                // Reorder: each symbol is late by up to 12 places (about a generation and a half).
                keys.add(stream.size() + random.nextInt(13));
                stream.add(body);
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < stream.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Integer.compare(keys.get(a), keys.get(b)));
        List<ByteBuffer> reordered = new ArrayList<>();
        for (int i : order) {
            reordered.add(stream.get(i));
        }
        stream = reordered;
        byte[][] delivered = new byte[64 * 32][];
        for (ByteBuffer body : stream) {
            feed(receiver, body, 0, delivered);
        }
        for (int n = 0; n < count; n++) {
            int g = (first + n) & 0xFFFF;
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(data[n][i], delivered[(g % 64) * 32 + i], "generation " + g + " source " + i);
            }
        }
        assertEquals(0, receiver.tooOld());
        assertEquals(4, receiver.expire(1, 0));
        assertEquals(0, receiver.unrecoverable());
        assertEquals(count, receiver.decoded() + receiver.closedWithoutRepair());
        assertEquals(withoutRepair, receiver.closedWithoutRepair());
    }

    @Test
    void accountsUnrecoverableSourcesWhenTheWindowMovesOn() {
        FecEncoder encoder = new FecEncoder(CAP);
        FecReceiver receiver = new FecReceiver(2, CAP);
        Random random = new Random(6);
        byte[][] delivered = new byte[64 * 32][];
        List<ByteBuffer> g0 = encode(encoder, 0, 8, 2, data(random, 8));
        for (int s = 3; s < 10; s++) { // sources 0..2 lost, both repairs arrive: rank 7 of 8
            feed(receiver, g0.get(s), 0, delivered);
        }
        assertEquals(false, receiver.decoder().isDecoded());
        List<ByteBuffer> g1 = encode(encoder, 1, 8, 2, data(random, 8));
        feed(receiver, g1.get(0), 0, delivered);
        assertEquals(0, receiver.unrecoverable()); // generation 0 is still in the window
        List<ByteBuffer> g2 = encode(encoder, 2, 8, 2, data(random, 8));
        feed(receiver, g2.get(0), 0, delivered);
        assertEquals(3, receiver.unrecoverable());
        // A late source of generation 0 is still delivered; its repair is ignored.
        assertEquals(FecDecoder.SOURCE, receiver.add(g0.get(0), 0, g0.get(0).limit(), 0));
        assertEquals(FecDecoder.REDUNDANT, receiver.add(g0.get(8), 0, g0.get(8).limit(), 0));
        assertEquals(2, receiver.tooOld());
        // Generations 1 and 2 saw no repair: their loss is unknown when they expire.
        assertEquals(2, receiver.expire(10, 5));
        assertEquals(2, receiver.closedWithoutRepair());
        assertEquals(0, receiver.expire(20, 5));
    }

    @Test
    void refusesAWindowThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new FecReceiver(3, CAP));
        assertThrows(IllegalArgumentException.class, () -> new FecReceiver(0, CAP));
        assertThrows(IllegalArgumentException.class, () -> new FecReceiver(128, CAP));
        FecReceiver receiver = new FecReceiver(4, CAP);
        assertEquals(FecDecoder.DROPPED, receiver.add(ByteBuffer.allocate(4), 0, 4, 0));
        assertEquals(1, receiver.truncated());
        assertEquals(FecDrop.TRUNCATED, receiver.decoder().lastDrop());
    }

    /** Steady state through the window: generations open, decode, close, wrap; nothing allocated. */
    @Test
    void routingDecodingAndClosingDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);
        FecEncoder encoder = new FecEncoder(Fec.MAX_SYMBOL_BYTES);
        FecReceiver receiver = new FecReceiver(4, Fec.MAX_SYMBOL_BYTES);
        ByteBuffer[] bodies = new ByteBuffer[10];
        int[] lengths = new int[10];
        for (int s = 0; s < 10; s++) {
            bodies[s] = ByteBuffer.allocateDirect(FecHeader.BYTES + 2 + Fec.MAX_SYMBOL_BYTES);
        }
        ByteBuffer out = ByteBuffer.allocateDirect(Fec.MAX_SYMBOL_BYTES);
        long recovered = run(encoder, receiver, bodies, lengths, out, 0, 500); // warm up
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        recovered += run(encoder, receiver, bodies, lengths, out, 500, 70_000); // wraps the 16-bit id
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(2L * 70_500, recovered);
        assertEquals(0, receiver.unrecoverable());
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 70 000 generations");
    }

    /** k = 8, m = 2, sources 1 and 6 lost; returns the sources recovered. */
    private static long run(FecEncoder encoder, FecReceiver receiver, ByteBuffer[] bodies, int[] lengths,
            ByteBuffer out, int from, int count) {
        long recovered = 0;
        for (int gen = from; gen < from + count; gen++) {
            encoder.begin(gen, 8, 2, gen);
            for (int s = 0; s < 8; s++) {
                lengths[s] = FecHeader.BYTES + 100 + s;
                recovered += encoder.addSource(bodies[s], 0, 100 + s) == s ? 0 : 1000;
            }
            for (int r = 0; r < 2; r++) {
                lengths[8 + r] = encoder.writeRepair(r, bodies[8 + r], 0);
            }
            for (int s = 0; s < 10; s++) {
                if (s != 1 && s != 6) {
                    recovered += receiver.add(bodies[s], 0, lengths[s], gen) > 0 ? 0 : 1000;
                }
            }
            FecDecoder decoder = receiver.decoder();
            for (int rec = decoder.recovered(); rec != 0; rec &= rec - 1) {
                recovered += decoder.take(Integer.numberOfTrailingZeros(rec), out, 0) > 0 ? 1 : 0;
            }
        }
        return recovered;
    }
}
