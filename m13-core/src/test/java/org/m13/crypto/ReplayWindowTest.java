package org.m13.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.m13.crypto.ReplayWindow.Status.ACCEPT;
import static org.m13.crypto.ReplayWindow.Status.DUPLICATE;
import static org.m13.crypto.ReplayWindow.Status.TOO_OLD;
import static org.m13.crypto.ReplayWindow.WINDOW;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.m13.crypto.ReplayWindow.Status;

class ReplayWindowTest {
    private static final long[] JUMPS = {1, 63, 64, 65, 8128, 8192, 1_000_000, 1L << 40};

    @Test
    void windowIs127BlocksOf64() {
        assertEquals(8128, WINDOW);
    }

    @Test
    void statusIdsAreStableAndIndexCounters() {
        assertEquals(0, ACCEPT.id());
        assertEquals(1, DUPLICATE.id());
        assertEquals(2, TOO_OLD.id());
        Set<String> labels = new HashSet<>();
        long[] counters = new long[Status.values().length];
        for (Status s : Status.values()) {
            counters[s.id()]++;
            assertTrue(labels.add(s.label()), "label repeated: " + s.label());
        }
        for (long c : counters) {
            assertEquals(1, c);
        }
    }

    @Test
    void inOrderSequenceIsAcceptedOnce() {
        ReplayWindow w = new ReplayWindow();
        assertEquals(0, w.highest());
        for (long next = 0; next <= 100_000; next++) {
            long seq = next;
            assertEquals(ACCEPT, w.check(seq), () -> "check " + seq);
            assertEquals(ACCEPT, w.update(seq), () -> "update " + seq);
            assertEquals(seq, w.highest());
            assertEquals(DUPLICATE, w.check(seq), () -> "check after update " + seq);
        }
        assertEquals(100_000, w.highest());
    }

    /** Blocks of 8000 (less than the window), each shuffled: every value accepted exactly once. */
    @Test
    void shuffledBlocksInsideTheWindowAreAcceptedExactlyOnce() {
        Random random = new Random(6479);
        ReplayWindow w = new ReplayWindow();
        long[] block = new long[8000];
        for (int b = 0; b < 25; b++) {
            for (int i = 0; i < block.length; i++) {
                block[i] = (long) b * block.length + i;
            }
            shuffle(block, random);
            for (long seq : block) {
                assertEquals(ACCEPT, w.update(seq), () -> "first copy of " + seq);
            }
            assertEquals((long) (b + 1) * block.length - 1, w.highest());
            shuffle(block, random);
            for (long seq : block) {
                assertEquals(DUPLICATE, w.check(seq), () -> "check of second copy of " + seq);
                assertEquals(DUPLICATE, w.update(seq), () -> "second copy of " + seq);
            }
        }
    }

    @Test
    void duplicatesAreRejectedRightAfterAndLaterInsideTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertEquals(ACCEPT, w.update(0));
        assertEquals(DUPLICATE, w.update(0));
        assertEquals(ACCEPT, w.update(1000));
        assertEquals(DUPLICATE, w.check(1000));
        assertEquals(DUPLICATE, w.update(1000));

        // Advance in order, leaving 1001 unseen, until 1000 is the oldest value in the window.
        for (long seq = 1002; seq <= 1000 + WINDOW - 1; seq++) {
            assertEquals(ACCEPT, w.update(seq));
        }
        assertEquals(1000 + WINDOW - 1, w.highest());
        assertEquals(DUPLICATE, w.check(1000));
        assertEquals(DUPLICATE, w.update(1000));
        assertEquals(DUPLICATE, w.update(5000));
        assertEquals(TOO_OLD, w.update(0));
        assertEquals(ACCEPT, w.update(1001)); // unseen, second oldest: a late frame, not a replay
        assertEquals(DUPLICATE, w.update(1001));

        assertEquals(ACCEPT, w.update(1000 + WINDOW));
        assertEquals(TOO_OLD, w.check(1000));
        assertEquals(TOO_OLD, w.update(1000));
        assertEquals(DUPLICATE, w.update(1001));
    }

    /** highest - 8127 is the oldest value in the window, highest - 8128 is out, at every bit offset. */
    @Test
    void windowBoundaryIsExact() {
        for (long top : new long[] {WINDOW, WINDOW + 1, 100_000, 100_032, 100_095, 100_096, 1L << 40}) {
            ReplayWindow sparse = new ReplayWindow();
            assertEquals(ACCEPT, sparse.update(top));
            if (top > WINDOW) {
                assertEquals(TOO_OLD, sparse.check(top - WINDOW - 1), "top " + top);
            }
            assertEquals(TOO_OLD, sparse.check(top - WINDOW), "top " + top);
            assertEquals(TOO_OLD, sparse.update(top - WINDOW), "top " + top);
            assertEquals(ACCEPT, sparse.check(top - WINDOW + 1), "top " + top);
            assertEquals(ACCEPT, sparse.update(top - WINDOW + 1), "top " + top);
            assertEquals(DUPLICATE, sparse.update(top - WINDOW + 1), "top " + top);
            assertEquals(top, sparse.highest());

            // Every value seen: the boundary separates DUPLICATE from TOO_OLD.
            ReplayWindow dense = new ReplayWindow();
            for (long seq = Math.max(0, top - WINDOW - 100); seq <= top; seq++) {
                assertEquals(ACCEPT, dense.update(seq));
            }
            assertEquals(DUPLICATE, dense.check(top - WINDOW + 1), "top " + top);
            assertEquals(TOO_OLD, dense.check(top - WINDOW), "top " + top);
        }
    }

    /**
     * After a jump, values seen before it are duplicates while in the window and too
     * old after; values skipped over are accepted, even where their bit position in
     * the ring is the one an old, seen value used (for jumps of 8192 every skipped
     * value collides with a seen one).
     */
    @Test
    void forwardJumpsClearTheSkippedBlocks() {
        long base = 10_000;
        for (long jump : JUMPS) {
            ReplayWindow w = new ReplayWindow();
            for (long seq = 0; seq <= base; seq++) {
                assertEquals(ACCEPT, w.update(seq));
            }
            long top = base + jump;
            assertEquals(ACCEPT, w.update(top), "jump " + jump);
            assertEquals(top, w.highest());
            for (long next = top - WINDOW - 100; next <= top; next++) {
                long seq = next;
                Status expected = top - seq >= WINDOW ? TOO_OLD : seq <= base || seq == top ? DUPLICATE : ACCEPT;
                assertEquals(expected, w.check(seq), () -> "jump " + jump + ", check " + seq);
                assertEquals(expected, w.update(seq), () -> "jump " + jump + ", update " + seq);
                if (expected == ACCEPT) {
                    assertEquals(DUPLICATE, w.check(seq), () -> "jump " + jump + ", again " + seq);
                }
            }
            assertEquals(top, w.highest());
        }
    }

    @Test
    void checkNeverMutates() {
        ReplayWindow w = new ReplayWindow();
        for (long seq = 0; seq < 100; seq++) {
            if (seq != 60) {
                assertEquals(ACCEPT, w.update(seq));
            }
        }
        // A check far ahead neither moves the window, nor clears it, nor sets a bit
        // (60 + 8192 has the ring position of the unseen 60).
        assertEquals(ACCEPT, w.check(1_000_000));
        assertEquals(ACCEPT, w.check(1_000_000));
        assertEquals(ACCEPT, w.check(60 + 8192));
        assertEquals(ACCEPT, w.check(60 + 8192));
        assertEquals(99, w.highest());
        assertEquals(DUPLICATE, w.check(50));
        assertEquals(ACCEPT, w.check(60));
        assertEquals(ACCEPT, w.check(60));
        assertEquals(ACCEPT, w.update(60));
        assertEquals(DUPLICATE, w.check(60));

        assertEquals(ACCEPT, w.check(150));
        assertEquals(ACCEPT, w.check(150));
        assertEquals(99, w.highest());
        assertEquals(ACCEPT, w.update(150));
        assertEquals(150, w.highest());
        assertEquals(DUPLICATE, w.check(150));

        assertEquals(ACCEPT, w.check(120));
        assertEquals(ACCEPT, w.check(120));
        assertEquals(ACCEPT, w.update(120));
        assertEquals(DUPLICATE, w.check(120));
        assertEquals(150, w.highest());

        // An update that is refused changes nothing either.
        assertEquals(DUPLICATE, w.update(120));
        assertEquals(150, w.highest());
        assertEquals(ACCEPT, w.check(121));
    }

    @Test
    void sequenceNumbersAreUnsignedAcrossTwoToThe63() {
        ReplayWindow w = new ReplayWindow();
        long belowSign = Long.MAX_VALUE - 10; // 2^63 - 11
        assertEquals(ACCEPT, w.update(belowSign));
        for (long seq = belowSign + 1; seq != Long.MIN_VALUE + 10; seq++) { // through 2^63
            assertEquals(ACCEPT, w.update(seq), Long.toUnsignedString(seq));
        }
        assertEquals(Long.MIN_VALUE + 9, w.highest());
        assertEquals(DUPLICATE, w.check(Long.MAX_VALUE));
        assertEquals(DUPLICATE, w.check(belowSign));
        assertEquals(ACCEPT, w.update(belowSign - 1));
        assertEquals(TOO_OLD, w.check(0)); // signed, 0 would be ahead of highest
        assertEquals(TOO_OLD, w.check(1000));
        long edge = w.highest() - WINDOW; // 2^63 - 8119: the window straddles 2^63
        assertTrue(edge > 0);
        assertEquals(TOO_OLD, w.check(edge));
        assertEquals(ACCEPT, w.update(edge + 1));
        assertEquals(ACCEPT, w.update(Long.MIN_VALUE + 5000));
        assertEquals(Long.MIN_VALUE + 5000, w.highest());

        // A first frame with the top bit set is far ahead of 0, not behind it.
        ReplayWindow fresh = new ReplayWindow();
        assertEquals(ACCEPT, fresh.check(Long.MIN_VALUE));
        assertEquals(ACCEPT, fresh.update(Long.MIN_VALUE));
        assertEquals(TOO_OLD, fresh.check(0));
        assertEquals(ACCEPT, fresh.update(Long.MAX_VALUE));
        assertEquals(DUPLICATE, fresh.update(Long.MIN_VALUE));
    }

    @Test
    void sequenceNumbersAreUnsignedUpToTwoToThe64() {
        long max = -1L; // 2^64 - 1
        ReplayWindow w = new ReplayWindow();
        assertEquals(ACCEPT, w.update(max - 100));
        assertEquals(ACCEPT, w.update(max));
        assertEquals(max, w.highest());
        assertEquals(DUPLICATE, w.check(max));
        assertEquals(DUPLICATE, w.update(max - 100));
        assertEquals(ACCEPT, w.update(max - 1));
        assertEquals(ACCEPT, w.update(max - (WINDOW - 1)));
        assertEquals(TOO_OLD, w.update(max - WINDOW));
        // The counter does not wrap: 0 and 1 come after 2^64 - 1 only modulo 2^64.
        assertEquals(TOO_OLD, w.check(0));
        assertEquals(TOO_OLD, w.update(1));
        assertEquals(max, w.highest());
    }

    /**
     * One million random operations, compared with a model that keeps every seen value
     * in a set. Mixes in-order traffic, small reorders, duplicates, the window edge,
     * jumps, and runs near 2^63 and near 2^64; every 100 000 operations the whole window
     * is compared value by value.
     */
    @Test
    void agreesWithAReferenceModel() {
        Random random = new Random(0x6479L);
        ReplayWindow w = new ReplayWindow();
        Model model = new Model();
        long[] recent = new long[64];
        int recentNext = 0;
        long[] outcomes = new long[Status.values().length];
        for (long seq = 0; seq < 10_000; seq++) { // so that values below highest do not wrap
            assertEquals(model.update(seq), w.update(seq));
        }
        for (int op = 0; op < 1_000_000; op++) {
            long top = model.highest;
            if (op == 800_000) {
                assertTrue(top < 0, "the run should have crossed 2^63");
            }
            long seq;
            boolean anyValue = false;
            if (op == 400_000) {
                seq = Long.MAX_VALUE - 3000; // later traffic crosses 2^63
            } else if (op == 800_000) {
                seq = -1L - 5_000_000; // later traffic reaches 2^64 - 1 and stops there
            } else {
                int r = random.nextInt(100);
                if (r < 35) {
                    seq = top + 1;
                } else if (r < 55) {
                    seq = top - 48 + random.nextInt(64);
                } else if (r < 68) {
                    seq = top - random.nextInt(WINDOW + 200);
                } else if (r < 80) {
                    seq = recent[random.nextInt(recent.length)];
                } else if (r < 86) {
                    seq = top + 1 + random.nextInt(256);
                } else if (r < 90) {
                    seq = top + JUMPS[random.nextInt(op < 800_000 ? JUMPS.length : 6)];
                } else if (r < 94) {
                    seq = top - WINDOW - 1 + random.nextInt(3);
                } else {
                    seq = random.nextLong();
                    anyValue = true;
                }
            }
            // An authenticated frame updates the window. A random 64-bit value is only
            // checked: accepting one would pin the window near 2^64 for the rest of the run.
            boolean forced = op == 400_000 || op == 800_000;
            boolean authenticated = forced || (!anyValue && random.nextInt(10) < 7);
            final long s = seq;
            Status expected = model.check(s);
            assertEquals(expected, w.check(s), () -> "check " + Long.toUnsignedString(s) + " highest "
                    + Long.toUnsignedString(model.highest));
            if (authenticated) {
                Status updated = model.update(s);
                assertEquals(updated, w.update(s), () -> "update " + Long.toUnsignedString(s));
                outcomes[updated.id()]++;
                if (updated == ACCEPT) {
                    recent[recentNext++ & (recent.length - 1)] = s;
                }
            }
            assertEquals(model.highest, w.highest());
            if (op % 32_768 == 0) {
                model.forgetOutsideWindow();
            }
            if (op % 100_000 == 0) {
                for (long back = 0; back < WINDOW + 100; back++) {
                    long old = model.highest - back;
                    assertEquals(model.check(old), w.check(old), () -> "sweep " + Long.toUnsignedString(old));
                }
            }
        }
        assertEquals(-1L, model.highest, "the run should have reached 2^64 - 1");
        for (Status status : Status.values()) {
            assertTrue(outcomes[status.id()] > 50_000, status + " only " + outcomes[status.id()] + " times");
        }
    }

    /** The hot path allocates nothing: a million check+update pairs, counted in bytes. */
    @Test
    void checkAndUpdateDoNotAllocate() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "JVM has no allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "JVM has no allocation counter");
        threads.setThreadAllocatedMemoryEnabled(true);

        ReplayWindow w = new ReplayWindow();
        long[] drops = new long[Status.values().length]; // as the receive path counts them
        int mismatches = drive(w, 0, 100_000, drops); // warm up: JIT, class init
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        mismatches += drive(w, 100_000, 1_100_000, drops);
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(0, mismatches);
        // Every value once (each block of 8 reversed); every 1024th replayed (1075 times),
        // and from 16384 on also one 8136 behind (1059 times).
        assertEquals(1_100_000, drops[ACCEPT.id()]);
        assertEquals(1075, drops[DUPLICATE.id()]);
        assertEquals(1059, drops[TOO_OLD.id()]);
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 1 000 000 check+update");
    }

    /** Delivers from..to-1 with each block of 8 reversed; returns how often check and update disagreed. */
    private static int drive(ReplayWindow w, long from, long to, long[] drops) {
        int mismatches = 0;
        for (long i = from; i < to; i++) {
            long seq = i ^ 7;
            Status checked = w.check(seq);
            Status updated = w.update(seq);
            mismatches += checked == updated ? 0 : 1;
            drops[updated.id()]++;
            if ((i & 1023) == 0) {
                drops[w.update(seq).id()]++;
                if (i >= 16384) {
                    drops[w.update(seq - WINDOW - 8).id()]++;
                }
            }
        }
        return mismatches;
    }

    private static void shuffle(long[] values, Random random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long v = values[i];
            values[i] = values[j];
            values[j] = v;
        }
    }

    /** The window rule stated directly: the 8128 values ending at highest, with a set of those seen. */
    private static final class Model {
        private final Set<Long> seen = new HashSet<>();
        long highest;

        private long lowest() {
            return Long.compareUnsigned(highest, WINDOW - 1) >= 0 ? highest - (WINDOW - 1) : 0;
        }

        private boolean inWindow(long seq) {
            return Long.compareUnsigned(seq, lowest()) >= 0 && Long.compareUnsigned(seq, highest) <= 0;
        }

        Status check(long seq) {
            if (Long.compareUnsigned(seq, highest) > 0) {
                return ACCEPT;
            }
            if (!inWindow(seq)) {
                return TOO_OLD;
            }
            return seen.contains(seq) ? DUPLICATE : ACCEPT;
        }

        Status update(long seq) {
            Status status = check(seq);
            if (status == ACCEPT) {
                boolean added = seen.add(seq);
                assertTrue(added);
                if (Long.compareUnsigned(seq, highest) > 0) {
                    highest = seq;
                }
            }
            return status;
        }

        void forgetOutsideWindow() {
            seen.removeIf(s -> !inWindow(s));
            assertTrue(seen.size() <= WINDOW);
        }
    }
}
