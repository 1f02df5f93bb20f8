package org.m13.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.m13.wire.Assembler.DROPPED;
import static org.m13.wire.Assembler.DUPLICATE;
import static org.m13.wire.Assembler.NEED_MORE;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssemblerTest {
    /** The fragment header sits after ETH and M13 headers, as in a received frame. */
    private static final int AT = Wire.ETH_HEADER_BYTES + Wire.M13_HEADER_BYTES;
    private static final long SECOND = 1_000_000_000L;
    private static final int FULL = Integer.MIN_VALUE;

    private final Fragmenter fragmenter = new Fragmenter();
    private final ByteBuffer frame = ByteBuffer.allocateDirect(Wire.MAX_UDP_PAYLOAD + 64);
    private final FragmentHeader header = new FragmentHeader();

    private static ByteBuffer message(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Sends fragment {@code index} of {@code msg} through a frame into {@code a}. */
    private int send(Assembler a, ByteBuffer msg, int id, int index, long now) {
        int body = fragmenter.write(msg, 0, msg.capacity(), id, index, frame, AT);
        return a.feed(frame, AT, body, now);
    }

    /** Sends every fragment in order; returns the result of the last. */
    private int sendAll(Assembler a, ByteBuffer msg, int id, long now) {
        int result = NEED_MORE;
        for (int i = 0; i < Fragmenter.fragmentCount(msg.capacity()); i++) {
            result = send(a, msg, id, i, now);
        }
        return result;
    }

    private static void assertMessage(Assembler a, int slot, ByteBuffer expected) {
        assertTrue(slot >= 0, "expected a completed slot, got " + slot);
        assertEquals(expected.capacity(), a.messageLength(slot));
        byte[] out = new byte[expected.capacity()];
        assertEquals(expected.capacity(), a.copyMessage(slot, ByteBuffer.wrap(out), 0));
        byte[] want = new byte[expected.capacity()];
        expected.get(0, want);
        assertArrayEquals(want, out);
    }

    /** Writes a raw header (any field values) at AT and returns 8 + length. */
    private int raw(int id, int index, int total, int offset, int length) {
        header.wrap(frame, AT).msgId(id).index(index).total(total).offset(offset).length(length);
        return FragmentHeader.BYTES + length;
    }

    private static long sumDrops(Assembler a) {
        long sum = 0;
        for (FragmentDrop reason : FragmentDrop.values()) {
            sum += a.drops(reason);
        }
        return sum;
    }

    // ---- round trips ------------------------------------------------------------------

    @ParameterizedTest(name = "{0} bytes in {1} fragments")
    @CsvSource({"1,1", "1401,1", "1402,1", "1403,2", "2804,2", "9216,7"})
    void roundTripsEveryLengthClass(int length, int fragments) {
        assertEquals(fragments, Fragmenter.fragmentCount(length));
        ByteBuffer msg = message(length, length);
        Assembler a = new Assembler(8);

        for (int i = 0; i < fragments - 1; i++) {
            assertEquals(NEED_MORE, send(a, msg, 100, i, 0));
        }
        int slot = send(a, msg, 100, fragments - 1, 0);
        assertMessage(a, slot, msg);
        ByteBuffer view = a.message(slot);
        for (int i = 0; i < length; i++) {
            assertEquals(msg.get(i), view.get(i));
        }
        a.release(slot);

        // Reverse order assembles the same bytes.
        for (int i = fragments - 1; i > 0; i--) {
            assertEquals(NEED_MORE, send(a, msg, 101, i, 0));
        }
        slot = send(a, msg, 101, 0, 0);
        assertMessage(a, slot, msg);
        a.release(slot);
        assertEquals(2, a.completed());
        assertEquals(0, a.incomplete());
        assertEquals(0, sumDrops(a));
    }

    /**
     * Random lengths (uniform and at chunk boundaries), several messages interleaved in a
     * random order, random duplicates (some after completion), msg_ids crossing the
     * 16-bit wrap: every message reassembles byte-exact, exactly once.
     */
    @Test
    void propertyRandomOrderDuplicatesAndInterleaving() {
        Random rnd = new Random(0x13_0F4A_6E);
        Assembler a = new Assembler(8);
        int nextId = 65_000;
        long now = 0;
        long expectedDuplicates = 0;
        long expectedMessages = 0;
        List<Integer> events = new ArrayList<>();
        for (int trial = 0; trial < 3000; trial++) {
            int k = 1 + rnd.nextInt(a.slots());
            ByteBuffer[] msgs = new ByteBuffer[k];
            int[] ids = new int[k];
            boolean[] done = new boolean[k];
            events.clear();
            for (int m = 0; m < k; m++) {
                int length = rnd.nextBoolean()
                        ? 1 + rnd.nextInt(Wire.MAX_MESSAGE_BYTES)
                        : Math.max(1, Math.min(Wire.MAX_MESSAGE_BYTES, 1402 * (1 + rnd.nextInt(7)) + rnd.nextInt(3) - 1));
                msgs[m] = message(length, rnd.nextLong());
                ids[m] = nextId++ & 0xFFFF;
                for (int f = 0; f < Fragmenter.fragmentCount(length); f++) {
                    events.add(m * 8 + f);
                }
            }
            int unique = events.size();
            int dups = rnd.nextInt(4);
            for (int d = 0; d < dups; d++) {
                events.add(events.get(rnd.nextInt(unique)));
            }
            Collections.shuffle(events, rnd);

            int seenDuplicates = 0;
            for (int event : events) {
                int m = event / 8;
                int result = send(a, msgs[m], ids[m], event % 8, now);
                now += rnd.nextInt(200_000);
                if (result >= 0) {
                    assertTrue(!done[m], "message completed twice in trial " + trial);
                    done[m] = true;
                    assertMessage(a, result, msgs[m]);
                    a.release(result);
                } else if (result == DUPLICATE) {
                    seenDuplicates++;
                } else {
                    assertEquals(NEED_MORE, result, "trial " + trial + ": dropped " + a.lastDrop());
                }
            }
            for (int m = 0; m < k; m++) {
                assertTrue(done[m], "trial " + trial + " message " + m + " never completed");
            }
            assertEquals(dups, seenDuplicates, "trial " + trial);
            assertEquals(0, a.incomplete());
            expectedDuplicates += dups;
            expectedMessages += k;
        }
        assertEquals(expectedMessages, a.completed());
        assertEquals(expectedDuplicates, a.duplicates());
        assertEquals(0, sumDrops(a));
        assertNull(a.lastDrop());
    }

    // ---- adversarial headers ---------------------------------------------------------

    private void assertDrop(Assembler a, FragmentDrop reason, int result) {
        assertEquals(DROPPED, result, "expected drop " + reason);
        assertEquals(reason, a.lastDrop());
    }

    @Test
    void everyRejectionRuleIsCountedByItsReason() {
        Assembler a = new Assembler(8);
        Set<FragmentDrop> hit = EnumSet.noneOf(FragmentDrop.class);
        Map<FragmentDrop, Long> expected = new EnumMap<>(FragmentDrop.class);
        for (FragmentDrop r : FragmentDrop.values()) {
            expected.put(r, 0L);
        }
        // reason, then id, index, total, offset, length, bytesAvailable (FULL: 8 + length)
        Object[][] cases = {
            {FragmentDrop.TRUNCATED, 1, 0, 1, 0, 10, 7},
            {FragmentDrop.TRUNCATED, 1, 0, 1, 0, 10, 0},
            {FragmentDrop.TRUNCATED, 1, 0, 1, 0, 10, -5},
            {FragmentDrop.TRUNCATED, 1, 0, 1, 0, 10, 17},
            {FragmentDrop.TRUNCATED, 1, 0, 2, 0, 1402, 8 + 1401},
            {FragmentDrop.BAD_TOTAL, 1, 0, 0, 0, 10, FULL},
            {FragmentDrop.BAD_TOTAL, 1, 0, 8, 0, 1402, FULL},
            {FragmentDrop.BAD_TOTAL, 1, 0, 255, 0, 1402, FULL},
            {FragmentDrop.BAD_INDEX, 1, 3, 3, 4206, 10, FULL},
            {FragmentDrop.BAD_INDEX, 1, 255, 7, 0, 10, FULL},
            {FragmentDrop.BAD_LENGTH, 1, 0, 1, 0, 0, FULL},
            {FragmentDrop.BAD_LENGTH, 1, 0, 1, 0, 1403, FULL},
            {FragmentDrop.BAD_LENGTH, 1, 0, 1, 0, 65535, 1400},
            {FragmentDrop.BAD_OFFSET, 1, 0, 1, 1, 10, FULL},
            {FragmentDrop.BAD_OFFSET, 1, 1, 2, 1401, 10, FULL},
            {FragmentDrop.BAD_OFFSET, 1, 1, 2, 0, 10, FULL},
            {FragmentDrop.SHORT_CHUNK, 1, 0, 2, 0, 1401, FULL},
            {FragmentDrop.SHORT_CHUNK, 1, 5, 7, 7010, 1, FULL},
            {FragmentDrop.TOO_LONG, 1, 6, 7, 8412, 805, FULL},
            {FragmentDrop.TOO_LONG, 1, 6, 7, 8412, 1402, FULL},
        };
        for (Object[] c : cases) {
            FragmentDrop reason = (FragmentDrop) c[0];
            int available = raw((Integer) c[1], (Integer) c[2], (Integer) c[3], (Integer) c[4], (Integer) c[5]);
            if ((Integer) c[6] != FULL) {
                available = (Integer) c[6];
            }
            assertDrop(a, reason, a.feed(frame, AT, available, 0));
            expected.merge(reason, 1L, Long::sum);
            hit.add(reason);
            for (FragmentDrop r : FragmentDrop.values()) {
                assertEquals(expected.get(r), a.drops(r), r + " after case " + reason);
            }
        }
        assertEquals(0, a.incomplete(), "a rejected fragment must not claim a slot");

        // The boundaries just inside each rule are accepted.
        assertEquals(NEED_MORE, a.feed(frame, AT, raw(2, 6, 7, 8412, 804), 0)); // ends at 9216
        assertEquals(NEED_MORE, a.feed(frame, AT, raw(3, 0, 2, 0, 1402), 0));
        int full = raw(4, 0, 1, 0, 1402);
        assertTrue(a.feed(frame, AT, full + 50, 0) >= 0, "trailing bytes after the chunk are ignored");

        // Inconsistent with earlier fragments of the same msg_id.
        assertEquals(NEED_MORE, a.feed(frame, AT, raw(9, 0, 2, 0, 1402), 0));
        assertDrop(a, FragmentDrop.TOTAL_MISMATCH, a.feed(frame, AT, raw(9, 1, 3, 1402, 1402), 0));
        assertDrop(a, FragmentDrop.TOTAL_MISMATCH, a.feed(frame, AT, raw(9, 0, 1, 0, 1402), 0));
        hit.add(FragmentDrop.TOTAL_MISMATCH);
        assertEquals(NEED_MORE, a.feed(frame, AT, raw(10, 2, 3, 2804, 100), 0));
        assertDrop(a, FragmentDrop.LENGTH_MISMATCH, a.feed(frame, AT, raw(10, 2, 3, 2804, 101), 0));
        hit.add(FragmentDrop.LENGTH_MISMATCH);
        assertEquals(DUPLICATE, a.feed(frame, AT, raw(10, 2, 3, 2804, 100), 0));
        assertEquals(2, a.drops(FragmentDrop.TOTAL_MISMATCH));
        assertEquals(1, a.drops(FragmentDrop.LENGTH_MISMATCH));
        assertEquals(1, a.duplicates());

        // The held fragments survived the rejected ones: both messages still complete.
        assertEquals(NEED_MORE, a.feed(frame, AT, raw(10, 0, 3, 0, 1402), 0));
        int slot = a.feed(frame, AT, raw(10, 1, 3, 1402, 1402), 0);
        assertTrue(slot >= 0);
        assertEquals(2904, a.messageLength(slot));
        int slot9 = a.feed(frame, AT, raw(9, 1, 2, 1402, 7), 0);
        assertTrue(slot9 >= 0);
        assertEquals(1409, a.messageLength(slot9));

        // Every per-fragment reason is reachable (slot reasons have their own tests).
        assertEquals(EnumSet.complementOf(EnumSet.of(FragmentDrop.NO_SLOT, FragmentDrop.EVICTED,
                FragmentDrop.EXPIRED)), hit);
    }

    @Test
    void aCallerRegionOutsideTheBufferIsAProgrammingError() {
        Assembler a = new Assembler(1);
        int available = raw(1, 0, 1, 0, 10);
        assertThrows(IndexOutOfBoundsException.class, () -> a.feed(frame, frame.limit() - 4, available, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.feed(frame, -1, available, 0));
        assertEquals(0, sumDrops(a));
    }

    /**
     * 100 000 fragments: half entirely random headers and bytesAvailable, half valid
     * headers with a few bits flipped (these reach the slot logic). Nothing throws, every
     * outcome is counted once, and afterwards real messages still reassemble.
     */
    @Test
    void fuzzedHeadersNeverThrowAndLeaveStateConsistent() {
        Random rnd = new Random(0xF0221EL);
        Assembler a = new Assembler(8);
        ByteBuffer noise = message(frame.capacity(), 99);
        frame.put(0, noise, 0, frame.capacity());
        long now = 0;
        int completions = 0;
        int needMore = 0;
        int duplicates = 0;
        int dropped = 0;
        int trials = 100_000;
        for (int t = 0; t < trials; t++) {
            int at = rnd.nextInt(64);
            int available;
            if ((t & 1) == 0) {
                for (int i = 0; i < FragmentHeader.BYTES; i++) {
                    frame.put(at + i, (byte) rnd.nextInt());
                }
                available = rnd.nextInt(-16, frame.limit() - at + 1);
            } else {
                int total = 1 + rnd.nextInt(Wire.MAX_FRAGMENTS);
                int index = rnd.nextInt(total);
                int length = index == total - 1 ? 1 + rnd.nextInt(Wire.MAX_FRAGMENT_CHUNK) : Wire.MAX_FRAGMENT_CHUNK;
                header.wrap(frame, at).msgId(rnd.nextInt(24)).index(index).total(total)
                        .offset(index * Wire.MAX_FRAGMENT_CHUNK).length(length);
                int flips = rnd.nextInt(3);
                for (int f = 0; f < flips; f++) {
                    int bit = rnd.nextInt(64);
                    int i = at + bit / 8;
                    frame.put(i, (byte) (frame.get(i) ^ (1 << (bit % 8))));
                }
                available = FragmentHeader.BYTES + length + rnd.nextInt(-2, 3);
                available = Math.min(available, frame.limit() - at);
            }
            int result = a.feed(frame, at, available, now);
            if (result >= 0) {
                completions++;
                int length = a.messageLength(result);
                assertTrue(length >= 1 && length <= Wire.MAX_MESSAGE_BYTES);
                assertEquals(length, a.message(result).capacity() >= length ? length : -1);
                a.release(result);
            } else if (result == NEED_MORE) {
                needMore++;
            } else if (result == DUPLICATE) {
                duplicates++;
            } else {
                assertEquals(DROPPED, result);
                dropped++;
            }
            assertTrue(a.incomplete() <= a.slots());
            now += rnd.nextInt(1_000_000);
            if (rnd.nextInt(1000) == 0) {
                assertTrue(a.expire(now) >= 0);
            }
        }
        assertEquals(trials, completions + needMore + duplicates + dropped);
        assertEquals(completions, a.completed());
        assertEquals(duplicates, a.duplicates());
        long perFragmentDrops = sumDrops(a) - a.drops(FragmentDrop.EVICTED) - a.drops(FragmentDrop.EXPIRED);
        assertEquals(dropped, perFragmentDrops);
        // The fuzz really exercised the paths it claims to.
        assertTrue(completions > 100, "completions " + completions);
        assertTrue(duplicates > 100, "duplicates " + duplicates);
        for (FragmentDrop reason : new FragmentDrop[] {FragmentDrop.TRUNCATED, FragmentDrop.BAD_TOTAL,
            FragmentDrop.BAD_INDEX, FragmentDrop.BAD_LENGTH, FragmentDrop.BAD_OFFSET, FragmentDrop.SHORT_CHUNK,
            FragmentDrop.TOO_LONG, FragmentDrop.TOTAL_MISMATCH, FragmentDrop.LENGTH_MISMATCH,
            FragmentDrop.EVICTED}) {
            assertTrue(a.drops(reason) > 0, reason + " never hit");
        }

        // Consistent afterwards: once old state expires, every slot takes a real message.
        now += 6 * SECOND;
        assertTrue(a.expire(now) >= 0);
        assertEquals(0, a.incomplete());
        ByteBuffer[] msgs = new ByteBuffer[a.slots()];
        for (int m = 0; m < msgs.length; m++) {
            msgs[m] = message(9216 - m * 1000, m);
            assertEquals(NEED_MORE, send(a, msgs[m], m, 0, now));
        }
        assertEquals(a.slots(), a.incomplete());
        for (int m = 0; m < msgs.length; m++) {
            int slot = NEED_MORE;
            for (int i = 1; i < Fragmenter.fragmentCount(msgs[m].capacity()); i++) {
                slot = send(a, msgs[m], m, i, now);
            }
            assertMessage(a, slot, msgs[m]);
            a.release(slot);
        }
        assertEquals(0, a.incomplete());
    }

    // ---- slots, eviction, expiry ---------------------------------------------------------

    @Test
    void exhaustedSlotsEvictTheOldestIncompleteMessage() {
        Assembler a = new Assembler(3);
        ByteBuffer[] msgs = {message(3000, 1), message(3000, 2), message(3000, 3), message(3000, 4)};
        // Slot order differs from age order, and the clock crosses Long.MAX_VALUE.
        long base = Long.MAX_VALUE - 1;
        assertEquals(NEED_MORE, send(a, msgs[0], 0, 0, base + 4));
        assertEquals(NEED_MORE, send(a, msgs[1], 1, 0, base)); // oldest
        assertEquals(NEED_MORE, send(a, msgs[2], 2, 0, base + 2));
        assertEquals(0, a.drops(FragmentDrop.EVICTED));

        assertEquals(NEED_MORE, send(a, msgs[3], 3, 0, base + 6)); // evicts message 1
        assertEquals(1, a.drops(FragmentDrop.EVICTED));
        assertEquals(3, a.incomplete());

        for (int m : new int[] {0, 2, 3}) {
            assertEquals(NEED_MORE, send(a, msgs[m], m, 1, base + 7));
            int slot = send(a, msgs[m], m, 2, base + 7);
            assertMessage(a, slot, msgs[m]);
            a.release(slot);
        }
        // Message 1 lost its first fragment with the eviction: the rest does not complete it...
        assertEquals(NEED_MORE, send(a, msgs[1], 1, 1, base + 8));
        assertEquals(NEED_MORE, send(a, msgs[1], 1, 2, base + 8));
        // ...until the sender retransmits it.
        assertMessage(a, send(a, msgs[1], 1, 0, base + 8), msgs[1]);
        assertEquals(1, a.drops(FragmentDrop.EVICTED));
    }

    @Test
    void completedUnreleasedMessagesAreNeverEvicted() {
        Assembler a = new Assembler(2);
        ByteBuffer msg = message(100, 5);
        int first = sendAll(a, msg, 1, 0);
        int second = sendAll(a, msg, 2, 0);
        assertTrue(first >= 0 && second >= 0 && first != second);
        assertDrop(a, FragmentDrop.NO_SLOT, sendAll(a, msg, 3, 1));
        assertEquals(1, a.drops(FragmentDrop.NO_SLOT));
        assertEquals(0, a.drops(FragmentDrop.EVICTED));
        assertMessage(a, first, msg);
        assertMessage(a, second, msg);
        a.release(first);
        assertMessage(a, sendAll(a, msg, 3, 2), msg);
    }

    @Test
    void incompleteMessagesExpireAfterFiveSeconds() {
        Assembler a = new Assembler(4);
        ByteBuffer msg = message(4000, 6);
        long base = Long.MAX_VALUE - 2 * SECOND; // expiry must survive the clock wrapping
        assertEquals(NEED_MORE, send(a, msg, 7, 0, base));
        assertEquals(NEED_MORE, send(a, msg, 8, 0, base + SECOND));
        assertEquals(NEED_MORE, send(a, msg, 7, 1, base + 3 * SECOND)); // later fragments do not refresh age
        int done = sendAll(a, msg, 9, base);
        assertTrue(done >= 0);

        assertEquals(0, a.expire(base + Assembler.REASSEMBLY_TIMEOUT_NANOS));
        assertEquals(3, a.incomplete() + 1);
        assertEquals(1, a.expire(base + Assembler.REASSEMBLY_TIMEOUT_NANOS + 1));
        assertEquals(1, a.drops(FragmentDrop.EXPIRED));
        assertEquals(1, a.incomplete());
        assertEquals(0, a.expire(base + Assembler.REASSEMBLY_TIMEOUT_NANOS + 2));

        // Message 7's fragments are gone: its remaining fragments start over.
        long later = base + 6 * SECOND;
        assertEquals(NEED_MORE, send(a, msg, 7, 2, later));
        assertEquals(NEED_MORE, send(a, msg, 7, 1, later));
        assertMessage(a, send(a, msg, 7, 0, later), msg);

        // A completed message waits for its release however old it gets.
        assertEquals(1, a.expire(base + 60 * SECOND)); // message 8
        assertEquals(2, a.drops(FragmentDrop.EXPIRED));
        assertMessage(a, done, msg);
        assertEquals(0, a.incomplete());
    }

    // ---- late duplicates -----------------------------------------------------------------

    @Test
    void lateDuplicatesOfACompletedMessageDoNotStartANewOne() {
        Assembler a = new Assembler(4);
        ByteBuffer msg = message(3000, 7);
        int slot = sendAll(a, msg, 42, 0);
        assertMessage(a, slot, msg);
        // Before release: the slot is still complete.
        assertEquals(DUPLICATE, send(a, msg, 42, 1, 0));
        a.release(slot);
        // After release: remembered.
        assertEquals(DUPLICATE, send(a, msg, 42, 0, SECOND));
        assertEquals(DUPLICATE, send(a, msg, 42, 2, Assembler.REASSEMBLY_TIMEOUT_NANOS));
        assertEquals(0, a.incomplete());
        assertEquals(3, a.lateDuplicates());
        assertEquals(3, a.duplicates());
        assertEquals(0, sumDrops(a));
        // Older than the timeout: the msg_id may have been reused; it is a new message.
        assertEquals(NEED_MORE, send(a, msg, 42, 0, Assembler.REASSEMBLY_TIMEOUT_NANOS + 1));
        assertEquals(1, a.incomplete());
    }

    @Test
    void completedMsgIdMemoryIsBounded() {
        Assembler a = new Assembler(2);
        ByteBuffer msg = message(10, 8);
        a.release(sendAll(a, msg, 500, 0));
        for (int i = 1; i < Assembler.COMPLETED_MEMORY; i++) {
            a.release(sendAll(a, msg, 500 + i, 0));
        }
        assertEquals(DUPLICATE, send(a, msg, 500, 0, 0)); // 16 completions: still remembered
        a.release(sendAll(a, msg, 500 + Assembler.COMPLETED_MEMORY, 0));
        int slot = send(a, msg, 500, 0, 0); // 17th pushed it out: a new message
        assertMessage(a, slot, msg);
        a.release(slot);
        // expire() forgets old completions too.
        a.release(sendAll(a, msg, 600, 0));
        assertEquals(0, a.expire(Assembler.REASSEMBLY_TIMEOUT_NANOS + 1));
        a.release(send(a, msg, 600, 0, 0));
    }

    // ---- API contract --------------------------------------------------------------------

    @Test
    void accessorsRefuseSlotsWithoutACompletedMessage() {
        assertThrows(IllegalArgumentException.class, () -> new Assembler(0));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Assembler.MAX_SLOTS + 1));
        Assembler a = new Assembler(2);
        assertThrows(IllegalStateException.class, () -> a.message(0));
        assertThrows(IllegalStateException.class, () -> a.messageLength(1));
        assertThrows(IllegalStateException.class, () -> a.release(0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.release(2));
        ByteBuffer msg = message(2000, 9);
        assertEquals(NEED_MORE, send(a, msg, 1, 0, 0));
        assertEquals(1, a.incomplete());
        assertThrows(IllegalStateException.class, () -> a.release(0)); // assembling, not complete
        int slot = send(a, msg, 1, 1, 0);
        ByteBuffer view = a.message(slot);
        assertThrows(ReadOnlyBufferException.class, () -> view.put(0, (byte) 1));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyMessage(slot, ByteBuffer.allocate(1999), 0));
        a.release(slot);
        assertThrows(IllegalStateException.class, () -> a.release(slot)); // double release
        assertEquals(-1, NEED_MORE);
        assertEquals(-2, DUPLICATE);
        assertEquals(-3, DROPPED);
    }

    @Test
    void dropReasonIdsAreStableAndDistinct() {
        String[] expected = {"TRUNCATED", "BAD_TOTAL", "BAD_INDEX", "BAD_LENGTH", "BAD_OFFSET", "SHORT_CHUNK",
            "TOO_LONG", "TOTAL_MISMATCH", "LENGTH_MISMATCH", "NO_SLOT", "EVICTED", "EXPIRED"};
        FragmentDrop[] values = FragmentDrop.values();
        assertEquals(expected.length, values.length);
        for (int i = 0; i < values.length; i++) {
            assertEquals(expected[i], values[i].name());
            assertEquals(i + 1, values[i].id());
            assertTrue(!values[i].label().isEmpty());
        }
    }

    // ---- allocation ----------------------------------------------------------------------

    /** Fragment, feed (with one late duplicate), complete, copy out, release: no allocation. */
    @Test
    void reassemblyDoesNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        Assembler a = new Assembler(8);
        ByteBuffer src = message(Wire.MAX_MESSAGE_BYTES, 10);
        ByteBuffer out = ByteBuffer.allocateDirect(Wire.MAX_MESSAGE_BYTES);
        int[] lengths = {1, 1401, 1402, 1403, 2804, 5000, 9216};
        int failures = run(a, src, out, lengths, 0, 10_000); // warm up: JIT, class init
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        failures += run(a, src, out, lengths, 10_000, 10_000);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, failures);
        assertEquals(20_000, a.completed());
        assertEquals(true, allocated < 4096, "allocated " + allocated + " bytes over 10 000 messages");
    }

    private int run(Assembler a, ByteBuffer src, ByteBuffer out, int[] lengths, int firstId, int count) {
        int failures = 0;
        for (int n = 0; n < count; n++) {
            int id = firstId + n;
            int length = lengths[n % lengths.length];
            int fragments = Fragmenter.fragmentCount(length);
            int slot = NEED_MORE;
            for (int k = 0; k < fragments; k++) {
                int i = (n & 1) == 0 ? k : fragments - 1 - k; // odd messages in reverse
                int body = fragmenter.write(src, 0, length, id, i, frame, AT);
                slot = a.feed(frame, AT, body, n);
                failures += (k < fragments - 1) == (slot == NEED_MORE) ? 0 : 1;
            }
            if (slot < 0) {
                failures++;
                continue;
            }
            failures += a.copyMessage(slot, out, 0) == length ? 0 : 1;
            failures += out.get(length - 1) == src.get(length - 1) ? 0 : 1;
            a.release(slot);
            failures += a.feed(frame, AT, FragmentHeader.BYTES + Fragmenter.chunkLength(length, 0), n)
                    == DUPLICATE ? 0 : 1;
        }
        return failures;
    }
}
