package org.m13.telemetry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The counters in the Prometheus text exposition format (version 0.0.4): one HELP and
 * TYPE line per metric, samples labelled {@code stage}, {@code peer} and {@code reason}.
 * Drops by reason are listed only for reasons that occurred, so series appear at the
 * first drop. Nanosecond and ppm slots are exported in seconds and as a ratio.
 */
public final class PrometheusText {
    /** The Content-Type of {@link #render}'s output. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** Every counter of {@code snapshot}, with the writer's status. */
    public static String render(TelemetrySnapshot snapshot, WriterStatus status) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "m13_telemetry_file_present", "gauge", "1 when the telemetry file exists");
        out.append("m13_telemetry_file_present 1\n");
        header(out, "m13_telemetry_writer_up", "gauge", "1 when the writer's process runs and its heartbeat is fresh");
        out.append("m13_telemetry_writer_up ").append(status == WriterStatus.ALIVE ? 1 : 0).append('\n');
        header(out, "m13_telemetry_heartbeat_age_seconds", "gauge", "Age of the writer's heartbeat");
        out.append("m13_telemetry_heartbeat_age_seconds ").append(snapshot.heartbeatAgeNanos() * 1e-9).append('\n');
        header(out, "m13_telemetry_writer_start_time_seconds", "gauge", "When the writer started (Unix time)");
        out.append("m13_telemetry_writer_start_time_seconds ").append(snapshot.startEpochMillis() / 1000.0)
                .append('\n');
        family(out, "m13_stage_", "stage", snapshot.records(RecordKind.STAGE), StageCounter.values());
        family(out, "m13_peer_", "peer", snapshot.records(RecordKind.PEER), PeerCounter.values());
        return out.toString();
    }

    /** What the endpoint serves while there is no file: the file's absence, and no writer. */
    public static String renderMissing() {
        StringBuilder out = new StringBuilder(256);
        header(out, "m13_telemetry_file_present", "gauge", "1 when the telemetry file exists");
        out.append("m13_telemetry_file_present 0\n");
        header(out, "m13_telemetry_writer_up", "gauge", "1 when the writer's process runs and its heartbeat is fresh");
        out.append("m13_telemetry_writer_up 0\n");
        return out.toString();
    }

    /**
     * One scrape of the file at {@code file}: maps it, renders it and unmaps it, so a
     * writer restart (a new file) is followed; {@link #renderMissing()} while it is absent.
     */
    public static String scrape(Path file) {
        if (!Files.exists(file)) {
            return renderMissing();
        }
        try (TelemetryReader reader = TelemetryReader.open(file)) {
            TelemetrySnapshot snapshot = reader.snapshot();
            return render(snapshot, snapshot.writerStatus());
        } catch (TelemetryException e) {
            if (!Files.exists(file)) {
                return renderMissing(); // removed between the check and the open
            }
            throw e;
        }
    }

    private static void family(StringBuilder out, String prefix, String label, List<RecordSnapshot> records,
            TelemetryCounter[] counters) {
        if (records.isEmpty()) {
            return;
        }
        for (TelemetryCounter c : counters) {
            String name = prefix + c.metric();
            header(out, name, c.kind() == CounterKind.COUNTER ? "counter" : "gauge", c.help());
            for (RecordSnapshot r : records) {
                out.append(name).append('{').append(label).append("=\"");
                escape(out, r.name());
                out.append("\"} ");
                long v = r.get(c);
                if (c.divisor() == 1.0) {
                    out.append(v);
                } else {
                    out.append(v / c.divisor());
                }
                out.append('\n');
            }
        }
        String name = prefix + "dropped_by_reason_total";
        header(out, name, "counter", "Frames dropped, by reason");
        for (RecordSnapshot r : records) {
            for (int id = 1; id < TelemetryLayout.DROP_SLOTS; id++) {
                long v = r.drops(id);
                if (v != 0) {
                    out.append(name).append('{').append(label).append("=\"");
                    escape(out, r.name());
                    out.append("\",reason=\"").append(DropReason.metricLabel(id)).append("\"} ").append(v)
                            .append('\n');
                }
            }
        }
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Label value escaping: backslash, double quote and newline. */
    static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
