package org.m13.telemetry;

/** Snapshots built by hand, for the renderers' tests. */
final class Fakes {
    private Fakes() {
    }

    static RecordSnapshot stage(int index, String name, long events, long bytes, long[] dropsById) {
        long[] c = new long[TelemetryLayout.COUNTER_SLOTS];
        c[StageCounter.EVENTS.slot()] = events;
        c[StageCounter.BYTES.slot()] = bytes;
        c[StageCounter.BATCHES.slot()] = events / 10;
        c[StageCounter.MAX_BATCH.slot()] = 32;
        c[StageCounter.MAX_QUEUE_DEPTH.slot()] = 700;
        c[StageCounter.MAX_DUTY_CYCLE_NANOS.slot()] = 12_500;
        long total = 0;
        for (long d : dropsById) {
            total += d;
        }
        c[StageCounter.DROPS.slot()] = total;
        return new RecordSnapshot(index, RecordKind.STAGE, name, c, pad(dropsById), true);
    }

    static RecordSnapshot peer(int index, String name, long rx, long rxBytes, long rttNanos, long[] dropsById) {
        long[] c = new long[TelemetryLayout.COUNTER_SLOTS];
        c[PeerCounter.RX_PACKETS.slot()] = rx;
        c[PeerCounter.RX_BYTES.slot()] = rxBytes;
        c[PeerCounter.TX_PACKETS.slot()] = rx / 2;
        c[PeerCounter.TX_BYTES.slot()] = rxBytes / 2;
        c[PeerCounter.REPLAY_DROPS.slot()] = dropsById.length > 21 ? dropsById[21] : 0;
        c[PeerCounter.HANDSHAKE_RETRANSMITS.slot()] = 2;
        c[PeerCounter.LOST_PACKETS.slot()] = 9;
        c[PeerCounter.LOSS_PPM.slot()] = 12_500;
        c[PeerCounter.RTT_NANOS.slot()] = rttNanos;
        c[PeerCounter.JITTER_NANOS.slot()] = 750_000;
        return new RecordSnapshot(index, RecordKind.PEER, name, c, pad(dropsById), true);
    }

    static long[] drops(DropReason reason, long count) {
        long[] d = new long[TelemetryLayout.DROP_SLOTS];
        d[reason.id()] = count;
        return d;
    }

    private static long[] pad(long[] d) {
        long[] out = new long[TelemetryLayout.DROP_SLOTS];
        System.arraycopy(d, 0, out, 0, d.length);
        return out;
    }
}
