package org.m13.bench.e2e;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A RawData built in memory, as the harness would write it. */
final class Fixtures {
    final Map<String, String> meta = new LinkedHashMap<>();
    final List<RawData.Sample> samples = new ArrayList<>();
    final List<RawData.Rtt> rtts = new ArrayList<>();
    final Map<Tunnel, RawData.Status> status = new EnumMap<>(Tunnel.class);
    final List<RawData.Failure> failures = new ArrayList<>();
    final Map<Tunnel, String> configs = new EnumMap<>(Tunnel.class);

    Fixtures ok(Tunnel... tunnels) {
        for (Tunnel t : tunnels) {
            status.put(t, new RawData.Status(true, ""));
        }
        return this;
    }

    Fixtures unavailable(Tunnel t, String reason) {
        status.put(t, new RawData.Status(false, reason));
        return this;
    }

    /** One value per run, run numbers from 1. */
    Fixtures values(Tunnel t, String metric, double... perRun) {
        for (int i = 0; i < perRun.length; i++) {
            samples.add(new RawData.Sample(i + 1, t, metric, perRun[i]));
        }
        return this;
    }

    Fixtures rtts(Tunnel t, int run, String series, double... ms) {
        for (double v : ms) {
            rtts.add(new RawData.Rtt(run, t, series, v));
        }
        return this;
    }

    RawData data() {
        return new RawData(meta, samples, rtts, status, failures, configs);
    }
}
