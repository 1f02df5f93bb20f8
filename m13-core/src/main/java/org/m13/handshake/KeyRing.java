package org.m13.handshake;

/**
 * The keys of one session across rekeys, and the key-phase bit that tells a receiver
 * which key a packet was sealed with (header byte sig+3). Generic over the key object
 * (the data plane keeps {@code org.m13.crypto.AesGcm} instances); the ring closes
 * every key it drops. Pure: time is passed in, no threads.
 *
 * <pre>
 *   epoch n: (send key, receive key), phase = n mod 2
 *   installNext(keys of epoch n+1):
 *       hub  (responder, knows the node has them): sends with n+1 at once
 *       node (initiator): keeps sending with n until the hub is seen to have n+1
 *   receive: phase of the current epoch -> current key; other phase -> next key if
 *       installed, else the previous key during its grace period, else none (drop)
 *   promote (the peer used n+1, or confirm()): previous = n (kept for the grace
 *       period), current = n+1; the node now sends with n+1
 * </pre>
 *
 * Installing a new epoch drops a previous epoch still in its grace period (its phase
 * bit is about to be reused); rekeys are an hour apart, grace periods seconds.
 */
public final class KeyRing<K extends AutoCloseable> implements AutoCloseable {
    private final RekeyPolicy policy;

    private Epoch<K> current;
    private Epoch<K> next;
    private Epoch<K> previous;
    private long previousDropAt;
    private boolean sendOnNext;

    private static final class Epoch<K extends AutoCloseable> {
        final K send;
        final K receive;
        final int phase;
        final long installedAt;
        long sent;

        Epoch(K send, K receive, int phase, long installedAt) {
            this.send = send;
            this.receive = receive;
            this.phase = phase;
            this.installedAt = installedAt;
        }
    }

    /** The first epoch (phase 0), from the first handshake. */
    public KeyRing(K send, K receive, RekeyPolicy policy, long nowNanos) {
        this.policy = policy;
        this.current = new Epoch<>(send, receive, 0, nowNanos);
    }

    // ---- sending ----

    private Epoch<K> sending() {
        return sendOnNext && next != null ? next : current;
    }

    public K sendKey() {
        return sending().send;
    }

    /** The phase bit to write into a packet sealed with {@link #sendKey()}. */
    public int sendPhase() {
        return sending().phase;
    }

    /** Counts one packet sealed with the send key. */
    public void countSent() {
        sending().sent++;
    }

    /** True once the send key is due for replacement (the node then starts a handshake). */
    public boolean rekeyDue(long nowNanos) {
        Epoch<K> e = sending();
        return next == null && (e.sent >= policy.rekeyAfterPackets() || nowNanos - e.installedAt >= policy.rekeyAfterNanos());
    }

    /** True once the send key must not seal another packet. */
    public boolean exhausted(long nowNanos) {
        Epoch<K> e = sending();
        return e.sent >= policy.rejectAfterPackets() || nowNanos - e.installedAt >= policy.rejectAfterNanos();
    }

    // ---- receiving ----

    /** The key to open a packet carrying {@code phase}, or null (drop it). */
    public K receiveKey(int phase, long nowNanos) {
        if (phase == current.phase) {
            return current.receive;
        }
        if (next != null) {
            return next.receive;
        }
        if (previous != null && nowNanos - previousDropAt < 0) {
            return previous.receive;
        }
        return null;
    }

    /** A packet carrying {@code phase} opened: if it was the next epoch's, the peer has switched. */
    public void onOpened(int phase, long nowNanos) {
        if (next != null && phase == next.phase) {
            promote(nowNanos);
        }
    }

    // ---- rekey ----

    /**
     * Keys of a new handshake. {@code sendNow}: true on the hub (the node has them once
     * the hub has verified its Finished), false on the node (wait for confirmation).
     * Replaces a next epoch not yet promoted (a handshake retried) and drops a previous one.
     */
    public void installNext(K send, K receive, boolean sendNow, long nowNanos) {
        dropPrevious();
        if (next != null) {
            closeEpoch(next);
        }
        next = new Epoch<>(send, receive, 1 - current.phase, nowNanos);
        sendOnNext = sendNow;
    }

    /** The node learnt that the hub holds the next keys (the Finished was acknowledged). */
    public void confirm(long nowNanos) {
        if (next != null) {
            promote(nowNanos);
        }
    }

    /** Drops the previous epoch once its grace period is over. */
    public void onTimer(long nowNanos) {
        if (previous != null && nowNanos - previousDropAt >= 0) {
            dropPrevious();
        }
    }

    public int currentPhase() {
        return current.phase;
    }

    public boolean hasNext() {
        return next != null;
    }

    public boolean hasPrevious() {
        return previous != null;
    }

    private void promote(long nowNanos) {
        dropPrevious();
        previous = current;
        previousDropAt = nowNanos + policy.graceNanos();
        current = next;
        next = null;
        sendOnNext = false;
    }

    private void dropPrevious() {
        if (previous != null) {
            closeEpoch(previous);
            previous = null;
        }
    }

    // Identity on purpose: one object installed for both directions is closed once.
    @SuppressWarnings("ReferenceEquality")
    private static void closeEpoch(Epoch<?> e) {
        closeKey(e.send);
        if (e.receive != e.send) {
            closeKey(e.receive);
        }
    }

    private static void closeKey(AutoCloseable key) {
        try {
            key.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing a session key failed", e);
        }
    }

    /** Closes every key the ring holds. */
    @Override
    public void close() {
        dropPrevious();
        if (next != null) {
            closeEpoch(next);
            next = null;
        }
        closeEpoch(current);
    }
}
