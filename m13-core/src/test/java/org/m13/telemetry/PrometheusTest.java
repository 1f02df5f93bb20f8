package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrometheusTest {
    @TempDir
    Path dir;

    /** Parses the text format: samples by "name{labels}", and checks every sample has HELP and TYPE first. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Map<String, String> types = new HashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                assertTrue(helped.add(line.substring(7, line.indexOf(' ', 7))), "one HELP per metric: " + line);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", -1);
                assertEquals(2, parts.length, line);
                assertTrue(Set.of("counter", "gauge").contains(parts[1]), line);
                assertFalse(types.containsKey(parts[0]), "one TYPE per metric: " + line);
                types.put(parts[0], parts[1]);
            } else {
                int space = line.lastIndexOf(' ');
                String key = line.substring(0, space);
                int brace = key.indexOf('{');
                String name = brace < 0 ? key : key.substring(0, brace);
                assertTrue(name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"), "metric name: " + line);
                assertTrue(helped.contains(name) && types.containsKey(name), "HELP and TYPE before " + line);
                if ("counter".equals(types.get(name))) {
                    assertTrue(name.endsWith("_total"), "counters end in _total: " + name);
                }
                assertEquals(null, samples.put(key, Double.parseDouble(line.substring(space + 1))), "dup " + key);
            }
        }
        return samples;
    }

    @Test
    void renderedCountersMatchTheFile() {
        try (TelemetryWriter w = TelemetryWriter.create(dir.resolve("t"), 4);
                TelemetryReader r = TelemetryReader.open(w.path())) {
            StageRecord s = w.stage("rx/decrypt");
            PeerRecord p = w.peer("node\"7");
            for (int i = 0; i < 25; i++) {
                s.event(1000);
            }
            s.batch(16, 40);
            s.drop(DropReason.AUTH_FAILED.id());
            s.drop(DropReason.AUTH_FAILED.id());
            s.drop(DropReason.NO_SESSION.id());
            p.received(1400);
            p.drop(DropReason.REPLAY_TOO_OLD.id());
            p.feedback(5, 25_000, 40_000_000, 2_000_000);
            w.heartbeat();

            TelemetrySnapshot snap = r.snapshot();
            String text = PrometheusText.render(snap, snap.writerStatus());
            assertTrue(text.contains("\nm13_peer_rtt_seconds{peer=\"node\\\"7\"} 0.04\n"), text);
            Map<String, Double> m = parse(text);
            assertEquals(1.0, m.get("m13_telemetry_writer_up"));
            assertEquals(1.0, m.get("m13_telemetry_file_present"));
            assertEquals(25.0, m.get("m13_stage_events_total{stage=\"rx/decrypt\"}"));
            assertEquals(25_000.0, m.get("m13_stage_bytes_total{stage=\"rx/decrypt\"}"));
            assertEquals(16.0, m.get("m13_stage_max_batch{stage=\"rx/decrypt\"}"));
            assertEquals(40.0, m.get("m13_stage_max_queue_depth{stage=\"rx/decrypt\"}"));
            assertEquals(3.0, m.get("m13_stage_dropped_total{stage=\"rx/decrypt\"}"));
            assertEquals(2.0, m.get("m13_stage_dropped_by_reason_total{stage=\"rx/decrypt\",reason=\"auth_failed\"}"));
            assertEquals(1.0, m.get("m13_stage_dropped_by_reason_total{stage=\"rx/decrypt\",reason=\"no_session\"}"));
            assertFalse(m.containsKey("m13_stage_dropped_by_reason_total{stage=\"rx/decrypt\",reason=\"link_full\"}"),
                    "reasons that never occurred are left out");
            String peer = "{peer=\"node\\\"7\"}"; // the quote in the name escaped
            assertEquals(1.0, m.get("m13_peer_rx_packets_total" + peer));
            assertEquals(1400.0, m.get("m13_peer_rx_bytes_total" + peer));
            assertEquals(1.0, m.get("m13_peer_replay_dropped_total" + peer));
            assertEquals(5.0, m.get("m13_peer_lost_packets_total" + peer));
            assertEquals(0.025, m.get("m13_peer_loss_ratio" + peer), 1e-12);
            assertEquals(0.040, m.get("m13_peer_rtt_seconds" + peer), 1e-12);
            assertEquals(0.002, m.get("m13_peer_jitter_seconds" + peer), 1e-12);
            assertEquals(1.0, m.get("m13_peer_dropped_by_reason_total{peer=\"node\\\"7\",reason=\"replay_too_old\"}"));
            assertEquals(0.0, m.get("m13_peer_handshake_retransmits_total" + peer));
        }
    }

    @Test
    void servesTheFileOverHttpOnLoopback() throws IOException {
        Path file = dir.resolve("t");
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.startLocal(0, () -> PrometheusText.scrape(file))) {
            assertEquals("127.0.0.1", endpoint.address().getAddress().getHostAddress());
            assertTrue(endpoint.port() > 0);
            Map<String, Double> none = parse(get(endpoint.port(), "/metrics", 200));
            assertEquals(0.0, none.get("m13_telemetry_file_present"));
            assertEquals(0.0, none.get("m13_telemetry_writer_up"));

            try (TelemetryWriter w = TelemetryWriter.create(file, 2)) {
                StageRecord s = w.stage("tun-write");
                for (int i = 0; i < 7; i++) {
                    s.event(100);
                }
                Map<String, Double> m = parse(get(endpoint.port(), "/metrics", 200));
                assertEquals(1.0, m.get("m13_telemetry_writer_up"));
                assertEquals(7.0, m.get("m13_stage_events_total{stage=\"tun-write\"}"));
                s.event(100);
                assertEquals(8.0, parse(get(endpoint.port(), "/metrics", 200))
                        .get("m13_stage_events_total{stage=\"tun-write\"}"), "each scrape reads afresh");
            }
            assertTrue(get(endpoint.port(), "/other", 404).contains("/metrics"));
        }
    }

    private static String get(int port, String path, int expectedStatus) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
        try {
            assertEquals(expectedStatus, c.getResponseCode());
            if (expectedStatus == 200) {
                assertEquals(PrometheusText.CONTENT_TYPE, c.getContentType());
            }
            try (InputStream in = expectedStatus < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    @Test
    void rendersAFakeSnapshotWithADeadWriter() {
        TelemetrySnapshot s = new TelemetrySnapshot(4242, 1_000, 0, TelemetryLayout.STATE_RUNNING, 500_000_000,
                List.of(Fakes.stage(0, "parse", 10, 640, Fakes.drops(DropReason.BAD_MAGIC, 4))));
        Map<String, Double> m = parse(PrometheusText.render(s, WriterStatus.DEAD));
        assertEquals(0.0, m.get("m13_telemetry_writer_up"));
        assertEquals(0.5, m.get("m13_telemetry_heartbeat_age_seconds"), 1e-12);
        assertEquals(4.0, m.get("m13_stage_dropped_by_reason_total{stage=\"parse\",reason=\"bad_magic\"}"));
        assertFalse(m.keySet().stream().anyMatch(k -> k.startsWith("m13_peer_")), "no peers, no peer metrics");
    }
}
