package org.m13.daemon;

import java.nio.file.Path;
import java.util.List;
import org.m13.stage.RingPipeline;
import org.m13.telemetry.TelemetryWriter;

/**
 * The daemon's /dev/shm telemetry file: one record per stage of every ring thread
 * ({@code rx/parse}, {@code tx/seal}, ...), each written by its own thread at batch ends
 * (docs/TELEMETRY.md), plus the writer's heartbeat. {@code m13 monitor --file PATH}
 * shows it while the daemon runs; closing removes the file.
 */
public final class DaemonTelemetry {
    /** Records: every stage of a dedicated topology plus per-peer records, with room to spare. */
    static final int RECORDS = 1280; // 256 peers x 4 records + stages

    private DaemonTelemetry() {
    }

    /** Creates the file and attaches every ring thread of {@code rings} (before they start). */
    public static TelemetryWriter open(Path path, List<RingPipeline> rings) {
        TelemetryWriter writer = TelemetryWriter.create(path, RECORDS);
        try {
            for (RingPipeline ring : rings) {
                for (int i = 0; i < ring.threadCount(); i++) {
                    var unused = ring.handler(i).telemetry(writer, ring.name());
                }
            }
            writer.startHeartbeat();
            return writer;
        } catch (RuntimeException e) {
            writer.close();
            throw e;
        }
    }
}
