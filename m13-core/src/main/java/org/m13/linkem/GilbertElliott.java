package org.m13.linkem;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parameters of the Gilbert–Elliott loss model: a two-state Markov chain, Good and
 * Bad, stepped once per frame. {@code p} is P(Good→Bad), {@code r} P(Bad→Good);
 * {@code h} is the loss probability in Good and {@code k} the loss probability in Bad
 * (both are loss probabilities here; netem's {@code gemodel p r 1-h 1-k} names the
 * success probabilities h and k instead). With {@code h = 0, k = 1} it is the
 * simple Gilbert model: mean burst length {@code 1/r}.
 *
 * <p>Long-run values: π<sub>Bad</sub> = p/(p+r), loss rate = h·r/(p+r) + k·p/(p+r).
 */
public record GilbertElliott(double p, double r, double h, double k) {
    private static final Pattern COMMA = Pattern.compile(",");

    public GilbertElliott {
        for (double v : new double[] {p, r, h, k}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("Gilbert-Elliott parameters must be in [0, 1]: " + this);
            }
        }
        if (p + r == 0) {
            throw new IllegalArgumentException("Gilbert-Elliott p and r cannot both be 0");
        }
    }

    /** Parses {@code p,r} (simple Gilbert: h = 0, k = 1) or {@code p,r,h,k}; each a fraction or a percentage ("1%"). */
    public static GilbertElliott parse(String text) {
        List<String> parts = COMMA.splitAsStream(text.strip()).map(String::strip).toList();
        if (parts.size() != 2 && parts.size() != 4) {
            throw new IllegalArgumentException("--ge takes p,r or p,r,h,k, not '" + text + "'");
        }
        double p = LinkParams.parseProbability(parts.get(0));
        double r = LinkParams.parseProbability(parts.get(1));
        if (parts.size() == 2) {
            return new GilbertElliott(p, r, 0, 1);
        }
        return new GilbertElliott(p, r, LinkParams.parseProbability(parts.get(2)),
                LinkParams.parseProbability(parts.get(3)));
    }

    /** Long-run fraction of frames sent in the Bad state. */
    public double badFraction() {
        return p / (p + r);
    }

    /** Long-run loss rate. */
    public double lossRate() {
        double bad = badFraction();
        return h * (1 - bad) + k * bad;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ge p=%s r=%s h=%s k=%s", p, r, h, k);
    }
}
