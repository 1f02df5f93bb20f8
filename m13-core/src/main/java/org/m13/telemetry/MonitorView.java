package org.m13.telemetry;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The text {@code m13 monitor} draws: a header naming the file, the writer and its
 * health, a stage table, a peer table and the drops by reason. Rates come from the
 * difference to the previous snapshot of the same writer. Pure: time comes in.
 */
public final class MonitorView {
    private MonitorView() {
    }

    /** What the monitor says while there is no file. */
    public static String missing(Path file) {
        return "m13 monitor: no telemetry file at " + file + "\n"
                + "  no daemon is running, or it writes elsewhere (see --file); waiting for it to start\n";
    }

    /** What the monitor says when the file exists but cannot be read. */
    public static String unreadable(Path file, String problem) {
        return "m13 monitor: cannot read " + file + ": " + problem + "\n";
    }

    /**
     * The table for {@code current}, with rates against {@code previous} (null, or from
     * another writer: no rates).
     */
    public static String render(Path file, TelemetrySnapshot previous, TelemetrySnapshot current, WriterStatus status,
            long nowEpochMillis) {
        StringBuilder out = new StringBuilder(4096);
        long upSeconds = Math.max(0, (nowEpochMillis - current.startEpochMillis()) / 1000);
        out.append(String.format(Locale.ROOT, "m13 monitor  %s  pid %d  up %s  heartbeat %.1f s ago%n", file,
                current.pid(), duration(upSeconds), current.heartbeatAgeNanos() / 1e9));
        if (status == WriterStatus.ALIVE) {
            out.append("writer alive\n");
        } else {
            out.append("WRITER ").append(status.name()).append(": ").append(status.description())
                    .append("; the figures below are its last\n");
        }
        boolean rates = previous != null && previous.pid() == current.pid()
                && previous.startEpochMillis() == current.startEpochMillis()
                && current.takenNanos() > previous.takenNanos();
        double seconds = rates ? (current.takenNanos() - previous.takenNanos()) / 1e9 : 0;

        out.append('\n').append(String.format(Locale.ROOT, "%-24s %12s %10s %9s %8s %8s %8s %10s %9s %8s%n", "STAGE",
                "EVENTS", "EV/S", "MB/S", "BATCHES", "MAXBATCH", "MAXQ", "MAXDUTY_US", "DROPS", "DROP/S"));
        for (RecordSnapshot r : current.records(RecordKind.STAGE)) {
            RecordSnapshot p = rates ? match(previous, r) : null;
            out.append(String.format(Locale.ROOT, "%-24s %12d %10s %9s %8d %8d %8d %10.1f %9d %8s%n", r.name(),
                    r.get(StageCounter.EVENTS), rate(r, p, StageCounter.EVENTS, seconds, 1),
                    rate(r, p, StageCounter.BYTES, seconds, 1e6), r.get(StageCounter.BATCHES),
                    r.get(StageCounter.MAX_BATCH), r.get(StageCounter.MAX_QUEUE_DEPTH),
                    r.get(StageCounter.MAX_DUTY_CYCLE_NANOS) / 1e3, r.get(StageCounter.DROPS),
                    rate(r, p, StageCounter.DROPS, seconds, 1)));
        }
        out.append('\n').append(String.format(Locale.ROOT,
                "%-24s %10s %10s %9s %9s %8s %7s %7s %7s %8s %7s %8s %9s%n", "PEER", "RX/S", "TX/S", "RX_MB/S",
                "TX_MB/S", "DROPS", "REPLAY", "AUTH", "HS_RETX", "LOST", "LOSS%", "RTT_MS", "JITTER_MS"));
        for (RecordSnapshot r : current.records(RecordKind.PEER)) {
            RecordSnapshot p = rates ? match(previous, r) : null;
            out.append(String.format(Locale.ROOT,
                    "%-24s %10s %10s %9s %9s %8d %7d %7d %7d %8d %7.3f %8.2f %9.2f%n", r.name(),
                    rate(r, p, PeerCounter.RX_PACKETS, seconds, 1), rate(r, p, PeerCounter.TX_PACKETS, seconds, 1),
                    rate(r, p, PeerCounter.RX_BYTES, seconds, 1e6), rate(r, p, PeerCounter.TX_BYTES, seconds, 1e6),
                    r.get(PeerCounter.DROPS), r.get(PeerCounter.REPLAY_DROPS), r.get(PeerCounter.AUTH_DROPS),
                    r.get(PeerCounter.HANDSHAKE_RETRANSMITS), r.get(PeerCounter.LOST_PACKETS),
                    r.get(PeerCounter.LOSS_PPM) / 1e4, r.get(PeerCounter.RTT_NANOS) / 1e6,
                    r.get(PeerCounter.JITTER_NANOS) / 1e6));
        }
        StringBuilder drops = new StringBuilder();
        for (RecordSnapshot r : current.records()) {
            for (int id = 1; id < TelemetryLayout.DROP_SLOTS; id++) {
                if (r.drops(id) != 0) {
                    drops.append("  ").append(r.name()).append(' ').append(DropReason.metricLabel(id)).append('=')
                            .append(r.drops(id)).append('\n');
                }
            }
        }
        out.append('\n').append(drops.length() == 0 ? "drops by reason: none\n" : "drops by reason:\n" + drops);
        return out.toString();
    }

    private static RecordSnapshot match(TelemetrySnapshot previous, RecordSnapshot r) {
        for (RecordSnapshot p : previous.records()) {
            if (p.index() == r.index() && p.kind() == r.kind() && p.name().equals(r.name())) {
                return p;
            }
        }
        return null;
    }

    /** Per-second rate of {@code c}, divided by {@code unit}; "-" without a previous snapshot. */
    private static String rate(RecordSnapshot r, RecordSnapshot p, TelemetryCounter c, double seconds, double unit) {
        if (p == null || seconds <= 0) {
            return "-";
        }
        double perSecond = (r.get(c) - p.get(c)) / seconds / unit;
        return unit == 1 ? String.format(Locale.ROOT, "%.0f", perSecond) : String.format(Locale.ROOT, "%.2f", perSecond);
    }

    private static String duration(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
