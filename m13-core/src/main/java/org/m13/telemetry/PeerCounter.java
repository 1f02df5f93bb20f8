package org.m13.telemetry;

/**
 * Counter slots of a peer record. Slot numbers are stable: add new counters with new
 * slots below {@link TelemetryLayout#COUNTER_SLOTS}, never renumber. Loss, RTT and
 * jitter stay zero until the daemons feed them from feedback reports.
 */
public enum PeerCounter implements TelemetryCounter {
    RX_PACKETS(0, "rxPkts", "rx_packets_total", CounterKind.COUNTER, "Frames received from the peer and accepted"),
    RX_BYTES(1, "rxBytes", "rx_bytes_total", CounterKind.COUNTER, "Bytes received from the peer and accepted"),
    TX_PACKETS(2, "txPkts", "tx_packets_total", CounterKind.COUNTER, "Frames sent to the peer"),
    TX_BYTES(3, "txBytes", "tx_bytes_total", CounterKind.COUNTER, "Bytes sent to the peer"),
    DROPS(4, "drops", "dropped_total", CounterKind.COUNTER, "Frames from the peer dropped, all reasons"),
    REPLAY_DROPS(5, "replay", "replay_dropped_total", CounterKind.COUNTER,
            "Frames dropped by the replay window (duplicate or too old)"),
    AUTH_DROPS(6, "auth", "auth_dropped_total", CounterKind.COUNTER, "Frames whose authentication tag failed"),
    HANDSHAKE_RETRANSMITS(7, "hsRetx", "handshake_retransmits_total", CounterKind.COUNTER,
            "Handshake flights sent again"),
    LOST_PACKETS(8, "lost", "lost_packets_total", CounterKind.COUNTER, "Frames the peer reported lost"),
    LOSS_PPM(9, "lossPpm", "loss_ratio", CounterKind.GAUGE, "Latest reported loss fraction"),
    RTT_NANOS(10, "rtt", "rtt_seconds", CounterKind.GAUGE, "Latest round-trip time"),
    JITTER_NANOS(11, "jitter", "jitter_seconds", CounterKind.GAUGE, "Latest interarrival jitter (RFC 3550)");

    private final int slot;
    private final String label;
    private final String metric;
    private final CounterKind kind;
    private final String help;

    PeerCounter(int slot, String label, String metric, CounterKind kind, String help) {
        this.slot = slot;
        this.label = label;
        this.metric = metric;
        this.kind = kind;
        this.help = help;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String metric() {
        return metric;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public CounterKind kind() {
        return kind;
    }

    @Override
    public double divisor() {
        return switch (this) {
            case RTT_NANOS, JITTER_NANOS -> 1e9;
            case LOSS_PPM -> 1e6;
            default -> 1.0;
        };
    }
}
