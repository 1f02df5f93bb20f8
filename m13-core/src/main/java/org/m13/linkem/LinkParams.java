package org.m13.linkem;

import java.util.Locale;

/**
 * One direction's emulated link. {@code ge} is null when Gilbert–Elliott loss is
 * off; {@code rateBitsPerSecond} 0 means unlimited; {@code reorder} false (the
 * default) keeps frames in arrival order: a frame never leaves before the one
 * received ahead of it, so jitter delays it instead of overtaking.
 */
public record LinkParams(long delayNanos, long jitterNanos, boolean reorder, double loss, GilbertElliott ge,
        long rateBitsPerSecond, int queueLimit) {
    public static final int DEFAULT_QUEUE_LIMIT = 1000;
    /** A transparent link: no delay, no loss, unlimited rate. */
    public static final LinkParams CLEAN = new LinkParams(0, 0, false, 0, null, 0, DEFAULT_QUEUE_LIMIT);

    public LinkParams {
        if (delayNanos < 0 || jitterNanos < 0) {
            throw new IllegalArgumentException("delay and jitter must be >= 0");
        }
        if (!(loss >= 0 && loss <= 1)) {
            throw new IllegalArgumentException("loss must be in [0, 1]: " + loss);
        }
        if (rateBitsPerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0 (0: unlimited)");
        }
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queue limit must be >= 1: " + queueLimit);
        }
    }

    public LinkParams withDelay(long delay, long jitter) {
        return new LinkParams(delay, jitter, reorder, loss, ge, rateBitsPerSecond, queueLimit);
    }

    public LinkParams withLoss(double p) {
        return new LinkParams(delayNanos, jitterNanos, reorder, p, ge, rateBitsPerSecond, queueLimit);
    }

    public LinkParams withGilbertElliott(GilbertElliott model) {
        return new LinkParams(delayNanos, jitterNanos, reorder, loss, model, rateBitsPerSecond, queueLimit);
    }

    public LinkParams withRate(long bitsPerSecond, int limit) {
        return new LinkParams(delayNanos, jitterNanos, reorder, loss, ge, bitsPerSecond, limit);
    }

    public LinkParams withReorder(boolean allowed) {
        return new LinkParams(delayNanos, jitterNanos, allowed, loss, ge, rateBitsPerSecond, queueLimit);
    }

    /** A fraction ("0.02") or a percentage ("2%"), in [0, 1]. */
    public static double parseProbability(String text) {
        String t = text.strip();
        double value;
        try {
            value = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).strip()) / 100
                    : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a probability: '" + text + "'", e);
        }
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("probability out of [0, 1]: '" + text + "'");
        }
        return value;
    }

    /** "delay 150.000 ms jitter 0.000 ms (order kept) loss 2.000% ... rate 10.000 Mbit/s queue 1000". */
    public String describe() {
        return String.format(Locale.ROOT, "delay %.3f ms jitter %.3f ms (%s) loss %.3f%% %s rate %s queue %d",
                delayNanos / 1e6, jitterNanos / 1e6, reorder ? "reordering allowed" : "order kept", loss * 100,
                ge == null ? "ge off" : ge.toString(),
                rateBitsPerSecond == 0 ? "unlimited" : String.format(Locale.ROOT, "%.3f Mbit/s", rateBitsPerSecond / 1e6),
                queueLimit);
    }
}
