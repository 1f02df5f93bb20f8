package org.m13.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reassembles fragmented messages from one peer. One instance per peer, used by one
 * thread.
 *
 * <p>Memory is bounded and preallocated: a fixed number of slots, each with a
 * {@value Wire#MAX_MESSAGE_BYTES}-byte direct buffer and a bitmap of the fragments
 * received, so a lossy link or a flood of partial messages costs no allocation and no
 * more memory than the constructor took. {@link #feed} returns an int (a slot index
 * when a message completes, else a negative constant) and counts drop reasons in a
 * {@code long[]}, so the per-fragment path allocates nothing.
 *
 * <p>Slot life cycle: free, assembling (first fragment seen), complete (every
 * fragment seen; the caller reads it with {@link #message}/{@link #copyMessage}, then
 * must {@link #release} it). Complete slots are never evicted or expired.
 *
 * <p>Choices:
 * <ul>
 * <li><b>Eviction.</b> A fragment of a new msg_id when no slot is free evicts the
 *     assembling message whose first fragment is oldest (counted as
 *     {@link FragmentDrop#EVICTED}): on a lossy link the oldest partial message is the
 *     one least likely to complete. If every slot holds an unreleased complete
 *     message the fragment is dropped ({@link FragmentDrop#NO_SLOT}).
 * <li><b>Expiry.</b> {@link #expire} drops assembling messages whose first fragment
 *     arrived more than 5 s ago ({@link #REASSEMBLY_TIMEOUT_NANOS}). Age counts from the
 *     first fragment, not the last, so a trickle of fragments cannot hold a slot
 *     forever.
 * <li><b>Late duplicates.</b> The msg_ids of the last {@value #COMPLETED_MEMORY}
 *     completed messages are remembered with their completion time; a fragment of one
 *     of them within 5 s of completion is a duplicate (counted, {@link #DUPLICATE}),
 *     not the start of a new message that would hold a slot until expiry. A genuinely
 *     new message is mistaken for one only if the sender wrapped its 16-bit counter
 *     within 5 s while fewer than
 *     {@value #COMPLETED_MEMORY} of those 65 536 messages completed here. A
 *     duplicate arriving later than that starts an incomplete message, which expiry
 *     or eviction reclaims.
 * <li><b>Inconsistent fragments</b> (different total, or the last fragment again with
 *     another length) are dropped; the fragments already held stay (first one wins).
 *     Frames are authenticated before reassembly, so this is a sender bug, not an
 *     attack, and not worth discarding good data for.
 * <li>Bytes after the chunk (up to {@code bytesAvailable}) are ignored.
 * </ul>
 */
public final class Assembler {
    /** A fragment was stored; the message is not complete yet. */
    public static final int NEED_MORE = -1;
    /** The fragment was already held, or belongs to a recently completed message. Counted, not an error. */
    public static final int DUPLICATE = -2;
    /** The fragment was rejected; the reason is counted and returned by {@link #lastDrop()}. */
    public static final int DROPPED = -3;

    /** Incomplete messages older than this (5 s) are dropped by {@link #expire}. */
    public static final long REASSEMBLY_TIMEOUT_NANOS = 5_000_000_000L;
    /** How many completed msg_ids are remembered to recognise late duplicates. */
    public static final int COMPLETED_MEMORY = 16;
    /** Upper bound on slots, so a configuration typo cannot allocate gigabytes. */
    public static final int MAX_SLOTS = 1024;

    private static final int FREE = 0;
    private static final int ASSEMBLING = 1;
    private static final int COMPLETE = 2;
    private static final int NO_ID = -1;

    private final FragmentHeader header = new FragmentHeader();
    private final ByteBuffer[] buffers;
    private final ByteBuffer[] views;
    private final int[] state;
    private final int[] msgId;
    private final int[] total;
    private final int[] received;
    private final int[] length;
    private final long[] firstNanos;

    private final int[] completedIds = new int[COMPLETED_MEMORY];
    private final long[] completedNanos = new long[COMPLETED_MEMORY];
    private int completedNext;

    /** Indexed by {@link FragmentDrop#id()}. */
    private final long[] drops = new long[maxDropId() + 1];
    private long duplicates;
    private long lateDuplicates;
    private long completedMessages;
    private FragmentDrop lastDrop;

    /** @param slots messages assembled at once, 1..{@value #MAX_SLOTS} (e.g. 8) */
    public Assembler(int slots) {
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots " + slots + " outside 1.." + MAX_SLOTS);
        }
        buffers = new ByteBuffer[slots];
        views = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            buffers[i] = ByteBuffer.allocateDirect(Wire.MAX_MESSAGE_BYTES);
            views[i] = buffers[i].asReadOnlyBuffer();
        }
        state = new int[slots];
        msgId = new int[slots];
        total = new int[slots];
        received = new int[slots];
        length = new int[slots];
        firstNanos = new long[slots];
        Arrays.fill(completedIds, NO_ID);
    }

    /**
     * Takes one fragment: the fragment header at absolute {@code fragmentHeaderIndex}
     * of {@code frameBuffer}, followed by its chunk. Checks run in this order, the
     * first failure naming the drop: fewer than 8 bytes (TRUNCATED); total, index,
     * length, offset, short chunk, message too long; fewer than 8 + length bytes
     * (TRUNCATED); then consistency with the fragments already held.
     *
     * @param bytesAvailable bytes from the fragment header to the end of the frame's body;
     *     a negative value counts as truncated
     * @param nowNanos a monotonic clock ({@link System#nanoTime()} or a test clock)
     * @return the slot index (>= 0) when this fragment completes its message, else
     *     {@link #NEED_MORE}, {@link #DUPLICATE} or {@link #DROPPED}
     * @throws IndexOutOfBoundsException if the caller's region lies outside the buffer's
     *     limit (a caller bug; nothing a peer sends can cause it)
     */
    public int feed(ByteBuffer frameBuffer, int fragmentHeaderIndex, int bytesAvailable, long nowNanos) {
        if (bytesAvailable < FragmentHeader.BYTES) {
            return drop(FragmentDrop.TRUNCATED);
        }
        Objects.checkFromIndexSize(fragmentHeaderIndex, bytesAvailable, frameBuffer.limit());
        FragmentHeader h = header.wrap(frameBuffer, fragmentHeaderIndex);
        int id = h.msgId();
        int index = h.index();
        int count = h.total();
        int offset = h.offset();
        int chunk = h.length();

        if (count == 0 || count > Wire.MAX_FRAGMENTS) {
            return drop(FragmentDrop.BAD_TOTAL);
        }
        if (index >= count) {
            return drop(FragmentDrop.BAD_INDEX);
        }
        if (chunk == 0 || chunk > Wire.MAX_FRAGMENT_CHUNK) {
            return drop(FragmentDrop.BAD_LENGTH);
        }
        if (offset != index * Wire.MAX_FRAGMENT_CHUNK) {
            return drop(FragmentDrop.BAD_OFFSET);
        }
        boolean last = index == count - 1;
        if (!last && chunk != Wire.MAX_FRAGMENT_CHUNK) {
            return drop(FragmentDrop.SHORT_CHUNK);
        }
        if (offset + chunk > Wire.MAX_MESSAGE_BYTES) {
            return drop(FragmentDrop.TOO_LONG);
        }
        if (bytesAvailable - FragmentHeader.BYTES < chunk) {
            return drop(FragmentDrop.TRUNCATED);
        }

        int slot = find(id);
        if (slot >= 0) {
            if (state[slot] == COMPLETE) {
                return lateDuplicate();
            }
            if (total[slot] != count) {
                return drop(FragmentDrop.TOTAL_MISMATCH);
            }
            if ((received[slot] & (1 << index)) != 0) {
                if (last && length[slot] != offset + chunk) {
                    return drop(FragmentDrop.LENGTH_MISMATCH);
                }
                duplicates++;
                return DUPLICATE;
            }
        } else {
            if (recentlyCompleted(id, nowNanos)) {
                return lateDuplicate();
            }
            slot = claim();
            if (slot < 0) {
                return drop(FragmentDrop.NO_SLOT);
            }
            state[slot] = ASSEMBLING;
            msgId[slot] = id;
            total[slot] = count;
            received[slot] = 0;
            length[slot] = 0;
            firstNanos[slot] = nowNanos;
        }

        buffers[slot].put(offset, frameBuffer, fragmentHeaderIndex + FragmentHeader.BYTES, chunk);
        received[slot] |= 1 << index;
        if (last) {
            length[slot] = offset + chunk;
        }
        if (received[slot] != (1 << count) - 1) {
            return NEED_MORE;
        }
        state[slot] = COMPLETE;
        completedMessages++;
        completedIds[completedNext] = id;
        completedNanos[completedNext] = nowNanos;
        completedNext = (completedNext + 1) % COMPLETED_MEMORY;
        return slot;
    }

    /**
     * Drops assembling messages whose first fragment is more than 5 s older than
     * {@code nowNanos}, and forgets completed msg_ids as old. Call it from the peer's
     * timer tick.
     *
     * @return messages dropped (a work count)
     */
    public int expire(long nowNanos) {
        int expired = 0;
        for (int slot = 0; slot < state.length; slot++) {
            if (state[slot] == ASSEMBLING && nowNanos - firstNanos[slot] > REASSEMBLY_TIMEOUT_NANOS) {
                state[slot] = FREE;
                drops[FragmentDrop.EXPIRED.id()]++;
                expired++;
            }
        }
        for (int i = 0; i < COMPLETED_MEMORY; i++) {
            if (completedIds[i] != NO_ID && nowNanos - completedNanos[i] > REASSEMBLY_TIMEOUT_NANOS) {
                completedIds[i] = NO_ID;
            }
        }
        return expired;
    }

    /**
     * The completed message in {@code slot}: a read-only big-endian view of the slot's
     * buffer whose bytes {@code [0, messageLength(slot))} are the message. Use absolute
     * gets; valid until {@link #release}.
     */
    public ByteBuffer message(int slot) {
        checkComplete(slot);
        return views[slot];
    }

    /** Length in bytes of the completed message in {@code slot}. */
    public int messageLength(int slot) {
        checkComplete(slot);
        return length[slot];
    }

    /**
     * Copies the completed message in {@code slot} into {@code dst} at absolute
     * {@code dstIndex}.
     *
     * @return the message length
     * @throws IndexOutOfBoundsException if it does not fit before {@code dst}'s limit
     */
    public int copyMessage(int slot, ByteBuffer dst, int dstIndex) {
        checkComplete(slot);
        dst.put(dstIndex, buffers[slot], 0, length[slot]);
        return length[slot];
    }

    /** Returns a completed slot to the free pool; the caller must not read it afterwards. */
    public void release(int slot) {
        checkComplete(slot);
        state[slot] = FREE;
    }

    public int slots() {
        return state.length;
    }

    /** Messages being assembled (slots neither free nor complete). */
    public int incomplete() {
        int n = 0;
        for (int s : state) {
            n += s == ASSEMBLING ? 1 : 0;
        }
        return n;
    }

    public long drops(FragmentDrop reason) {
        return drops[reason.id()];
    }

    /** Reason of the most recent {@link #DROPPED} result, or null if none yet. */
    public FragmentDrop lastDrop() {
        return lastDrop;
    }

    /** Fragments already held, plus late duplicates. */
    public long duplicates() {
        return duplicates;
    }

    /** Duplicates of a message already completed (a subset of {@link #duplicates()}). */
    public long lateDuplicates() {
        return lateDuplicates;
    }

    public long completed() {
        return completedMessages;
    }

    private int drop(FragmentDrop reason) {
        drops[reason.id()]++;
        lastDrop = reason;
        return DROPPED;
    }

    private static int maxDropId() {
        int max = 0;
        for (FragmentDrop reason : FragmentDrop.values()) {
            max = Math.max(max, reason.id());
        }
        return max;
    }

    private int lateDuplicate() {
        duplicates++;
        lateDuplicates++;
        return DUPLICATE;
    }

    private int find(int id) {
        for (int slot = 0; slot < state.length; slot++) {
            if (state[slot] != FREE && msgId[slot] == id) {
                return slot;
            }
        }
        return -1;
    }

    private boolean recentlyCompleted(int id, long nowNanos) {
        for (int i = 0; i < COMPLETED_MEMORY; i++) {
            if (completedIds[i] == id && nowNanos - completedNanos[i] <= REASSEMBLY_TIMEOUT_NANOS) {
                return true;
            }
        }
        return false;
    }

    /** A free slot, else the oldest assembling one (evicted), else -1. */
    private int claim() {
        int oldest = -1;
        for (int slot = 0; slot < state.length; slot++) {
            if (state[slot] == FREE) {
                return slot;
            }
            if (state[slot] == ASSEMBLING && (oldest < 0 || firstNanos[slot] - firstNanos[oldest] < 0)) {
                oldest = slot;
            }
        }
        if (oldest >= 0) {
            drops[FragmentDrop.EVICTED.id()]++;
        }
        return oldest;
    }

    private void checkComplete(int slot) {
        Objects.checkIndex(slot, state.length);
        if (state[slot] != COMPLETE) {
            throw new IllegalStateException("slot " + slot + " holds no completed message");
        }
    }
}
