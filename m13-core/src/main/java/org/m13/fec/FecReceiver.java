package org.m13.fec;

import java.nio.ByteBuffer;

/**
 * The receiving side of FEC for one peer: a window of {@link FecDecoder}s for the
 * generations in flight, since with reordering and a repair per generation arriving
 * after the next generation's first sources, several are open at once. One thread,
 * no allocation after the constructor.
 *
 * <p>Window: the newest generation seen (16-bit serial arithmetic, RFC 1982) and the
 * {@code window - 1} before it; generation g lives in decoder {@code g mod window}.
 * A symbol of a newer generation moves the window, closing the generations that fall
 * out of it; a symbol of a generation older than the window is not decoded: a source
 * is still handed to the caller ({@link FecDecoder#SOURCE}: pass-through never
 * depends on FEC state), a repair is ignored; both are counted as {@link #tooOld()}.
 * {@link #expire} closes generations opened longer ago than a timeout, so the loss of
 * a quiet link's last generation is accounted too (a symbol arriving later for such a
 * generation, still inside the window, opens it afresh).
 *
 * <p>Closing a generation accounts it: {@link #unrecoverable()} adds the sources the
 * decoder did not know, when its k is known; a generation of which no repair arrived
 * has unknown k and is counted in {@link #closedWithoutRepair()} instead.
 */
public final class FecReceiver {
    private static final int HALF = 0x8000;

    private final FecDecoder[] decoders;
    private final boolean[] open;
    private final long[] openedNanos;
    private final FecHeader header = new FecHeader();
    private final int window;
    private boolean started;
    private int newest;
    private FecDecoder last;

    private long unrecoverable;
    private long closedWithoutRepair;
    private long decoded;
    private long tooOld;
    private long truncated;

    /**
     * @param window generations decoded at once, a power of two in 1..64 (e.g. 4), so
     *     that {@code g mod window} stays consecutive across the 16-bit wrap
     * @param symbolCapacity largest source symbol, as for the encoder
     */
    public FecReceiver(int window, int symbolCapacity) {
        if (window < 1 || window > 64 || Integer.bitCount(window) != 1) {
            throw new IllegalArgumentException("window " + window + " not a power of two in 1..64");
        }
        this.window = window;
        decoders = new FecDecoder[window];
        for (int i = 0; i < window; i++) {
            decoders[i] = new FecDecoder(symbolCapacity);
        }
        open = new boolean[window];
        openedNanos = new long[window];
        last = decoders[0];
    }

    /**
     * Routes one FEC symbol (as {@link FecDecoder#add}) to its generation's decoder,
     * opening it or moving the window as needed. Afterwards {@link #decoder()} is the
     * decoder it went to: read {@link FecDecoder#recovered()} there and
     * {@link FecDecoder#take} what it recovered.
     *
     * @return as {@link FecDecoder#add}
     */
    public int add(ByteBuffer buffer, int headerIndex, int bytesAvailable, long nowNanos) {
        if (bytesAvailable < FecHeader.BYTES) {
            truncated++;
            return last.add(buffer, headerIndex, bytesAvailable); // counts the drop there
        }
        FecHeader h = header.wrap(buffer, headerIndex);
        int g = h.generation();
        if (!started) {
            started = true;
            newest = g;
        }
        int ahead = (g - newest) & 0xFFFF;
        if (ahead != 0 && ahead < HALF) {
            advance(g);
        } else if (((newest - g) & 0xFFFF) >= window) {
            tooOld++;
            boolean source = h.index() < h.k();
            return source ? FecDecoder.SOURCE : FecDecoder.REDUNDANT;
        }
        int slot = g % window;
        FecDecoder decoder = decoders[slot];
        if (!open[slot] || decoder.generation() != g) {
            close(slot);
            decoder.reset(g);
            open[slot] = true;
            openedNanos[slot] = nowNanos;
        }
        last = decoder;
        boolean wasDecoded = decoder.isDecoded();
        int result = decoder.add(buffer, headerIndex, bytesAvailable);
        if (!wasDecoded && decoder.isDecoded()) {
            decoded++;
        }
        return result;
    }

    /** Moves the newest generation to {@code g}, closing those that leave the window. */
    private void advance(int g) {
        int steps = (g - newest) & 0xFFFF;
        // Old window newest-window+1..newest, new one g-window+1..g: the first
        // min(steps, window) generations of the old one leave.
        for (int i = 1; i <= Math.min(steps, window); i++) {
            close(((newest - window + i) & 0xFFFF) % window);
        }
        newest = g;
    }

    /**
     * Closes the generations opened more than {@code timeoutNanos} before
     * {@code nowNanos}. Call it from the peer's timer tick.
     *
     * @return generations closed (a work count)
     */
    public int expire(long nowNanos, long timeoutNanos) {
        int closed = 0;
        for (int slot = 0; slot < window; slot++) {
            if (open[slot] && nowNanos - openedNanos[slot] > timeoutNanos) {
                close(slot);
                closed++;
            }
        }
        return closed;
    }

    private void close(int slot) {
        if (!open[slot]) {
            return;
        }
        open[slot] = false;
        int missing = decoders[slot].missing();
        if (missing < 0) {
            closedWithoutRepair++;
        } else {
            unrecoverable += missing;
        }
    }

    /**
     * Forgets every generation without accounting it (the peer's sender started afresh:
     * its generations say nothing about the old ones); the next symbol starts the window.
     */
    public void reset() {
        started = false;
        java.util.Arrays.fill(open, false);
    }

    /** The decoder the last symbol went to. */
    public FecDecoder decoder() {
        return last;
    }

    /** Sources of closed generations that were neither received nor recovered. */
    public long unrecoverable() {
        return unrecoverable;
    }

    /** Generations closed before any repair arrived (their losses cannot be counted here). */
    public long closedWithoutRepair() {
        return closedWithoutRepair;
    }

    /** Generations that reached rank k. */
    public long decoded() {
        return decoded;
    }

    /** Symbols of generations older than the window. */
    public long tooOld() {
        return tooOld;
    }

    /** Symbols shorter than the FEC header (also counted as drops by a decoder). */
    public long truncated() {
        return truncated;
    }

    public int newest() {
        return newest;
    }
}
