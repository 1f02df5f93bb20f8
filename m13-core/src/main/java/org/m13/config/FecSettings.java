package org.m13.config;

import org.m13.fec.Fec;
import org.m13.fec.FecPolicy;

/**
 * The {@code fec:} section shared by hub.yaml and node.yaml: whether this end sends its
 * tunnel packets in FEC generations, and the limits of the adaptation. The receiving
 * side always decodes what a peer sends; these settings steer what this end sends,
 * except {@code reorder-ms}: how long this end holds a received packet for the ones
 * the peer sent before it (rebuilt by FEC, or reordered by the link).
 *
 * <pre>
 * fec:
 *   enabled: true          # source symbols carry an 8-byte FEC header; repairs follow loss
 *   max-k: 16              # largest generation (1..32): sources per block of repairs
 *   max-delay-ms: 10       # a generation not full after this long is closed early (its repairs sent)
 *   target-residual-ppm: 100  # loss after FEC to stay below, parts per million (100 = 0.01 %)
 *   reorder-ms: 25         # optional; unset: 4 x measured jitter + 2 ms (5..200) + max-delay-ms; 0: off
 * </pre>
 *
 * With FEC on, an inner packet is at most {@value Fec#MAX_SYMBOL_BYTES} bytes (the
 * largest repair then fills one 1472-byte datagram), so {@code tunnel.mtu} is checked
 * against it.
 */
public record FecSettings(boolean enabled, int maxK, long maxDelayNanos, double targetResidual, long reorderNanos) {
    /** {@link #reorderNanos}: derive the bound from the measured jitter. */
    public static final long REORDER_FROM_JITTER = -1;
    public static final int DEFAULT_MAX_K = 16;
    public static final int DEFAULT_MAX_DELAY_MS = 10;
    public static final int DEFAULT_TARGET_PPM = (int) Math.round(FecPolicy.DEFAULT_TARGET * 1e6);

    /** The section as written. */
    public record Yaml(Boolean enabled, Integer maxK, Integer maxDelayMs, Integer targetResidualPpm, Integer reorderMs) {
    }

    /** FEC on with the defaults. */
    public static FecSettings defaults() {
        return new FecSettings(true, DEFAULT_MAX_K, DEFAULT_MAX_DELAY_MS * 1_000_000L, DEFAULT_TARGET_PPM / 1e6,
                REORDER_FROM_JITTER);
    }

    static FecSettings conclude(Checks c, Yaml yaml, int tunnelMtu) throws ConfigException {
        Yaml y = yaml == null ? new Yaml(null, null, null, null, null) : yaml;
        boolean enabled = y.enabled() == null || y.enabled();
        int maxK = c.range("fec.max-k", y.maxK(), DEFAULT_MAX_K, 1, Fec.MAX_K);
        int delayMs = c.range("fec.max-delay-ms", y.maxDelayMs(), DEFAULT_MAX_DELAY_MS, 1, 1000);
        int ppm = c.range("fec.target-residual-ppm", y.targetResidualPpm(), DEFAULT_TARGET_PPM, 1, 100_000);
        if (enabled && tunnelMtu > Fec.MAX_SYMBOL_BYTES) {
            throw c.error("tunnel.mtu", tunnelMtu + " is above " + Fec.MAX_SYMBOL_BYTES
                    + ", the largest inner packet FEC can protect (set fec.enabled: false for up to "
                    + HubConfig.MAX_TUNNEL_MTU + ")");
        }
        long reorder = y.reorderMs() == null ? REORDER_FROM_JITTER
                : c.range("fec.reorder-ms", y.reorderMs(), 0, 0, 1000) * 1_000_000L;
        return new FecSettings(enabled, maxK, delayMs * 1_000_000L, ppm / 1e6, reorder);
    }
}
