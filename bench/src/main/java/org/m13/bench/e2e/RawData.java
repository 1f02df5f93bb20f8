package org.m13.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one harness run wrote into its raw-data directory:
 *
 * <pre>
 * meta.txt       key=value: machine, versions, options, command templates
 * results.csv    run,tunnel,metric,value      one scalar per row (tcp_up_mbit, tcp_up_cpu_s, ...)
 * rtt.csv        run,tunnel,series,rtt_ms     every ping round trip (series idle, load)
 * status.csv     tunnel,state,reason          ok or unavailable, with the reason
 * failures.csv   run,tunnel,what,reason       a workload or start-up that failed in one run
 * config-T.md    the configuration of tunnel T, as Markdown
 * </pre>
 */
public record RawData(Map<String, String> meta, List<Sample> samples, List<Rtt> rtts,
        Map<Tunnel, Status> status, List<Failure> failures, Map<Tunnel, String> configs) {

    public record Sample(int run, Tunnel tunnel, String metric, double value) {
    }

    public record Rtt(int run, Tunnel tunnel, String series, double ms) {
    }

    public record Status(boolean ok, String reason) {
    }

    /** {@code tunnel} is a driver name or "linkem". */
    public record Failure(int run, String tunnel, String what, String reason) {
    }

    public static RawData load(Path dir) throws IOException, RawDataException {
        Map<String, String> meta = new LinkedHashMap<>();
        Path metaFile = dir.resolve("meta.txt");
        int n = 0;
        for (String line : Files.readAllLines(metaFile, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new RawDataException(metaFile, n, "not key=value: " + line);
            }
            meta.put(line.substring(0, eq), line.substring(eq + 1));
        }
        List<Sample> samples = new ArrayList<>();
        for (Row r : rows(dir.resolve("results.csv"), "run,tunnel,metric,value")) {
            samples.add(new Sample(r.integer(0), r.tunnel(1), r.field(2), r.number(3)));
        }
        List<Rtt> rtts = new ArrayList<>();
        for (Row r : rows(dir.resolve("rtt.csv"), "run,tunnel,series,rtt_ms")) {
            rtts.add(new Rtt(r.integer(0), r.tunnel(1), r.field(2), r.number(3)));
        }
        Map<Tunnel, Status> status = new EnumMap<>(Tunnel.class);
        for (Row r : rows(dir.resolve("status.csv"), "tunnel,state,reason")) {
            String state = r.field(1);
            if (!state.equals("ok") && !state.equals("unavailable")) {
                throw r.error("state '" + state + "' is neither ok nor unavailable");
            }
            status.put(r.tunnel(0), new Status(state.equals("ok"), r.field(2)));
        }
        List<Failure> failures = new ArrayList<>();
        for (Row r : rows(dir.resolve("failures.csv"), "run,tunnel,what,reason")) {
            failures.add(new Failure(r.integer(0), r.field(1), r.field(2), r.field(3)));
        }
        Map<Tunnel, String> configs = new EnumMap<>(Tunnel.class);
        for (Tunnel t : Tunnel.values()) {
            Path f = dir.resolve("config-" + t.id() + ".md");
            if (Files.isRegularFile(f)) {
                configs.put(t, Files.readString(f, StandardCharsets.UTF_8).strip());
            }
        }
        return new RawData(meta, samples, rtts, status, failures, configs);
    }

    /** The tunnels that ran, in column order. */
    public List<Tunnel> measured() {
        List<Tunnel> out = new ArrayList<>();
        status.forEach((t, s) -> {
            if (s.ok()) {
                out.add(t);
            }
        });
        return out;
    }

    public String meta(String key) {
        return meta.getOrDefault(key, "");
    }

    private record Row(Path file, int line, List<String> fields) {
        String field(int i) throws RawDataException {
            if (i >= fields.size()) {
                throw error("column " + (i + 1) + " is missing");
            }
            return fields.get(i);
        }

        int integer(int i) throws RawDataException {
            try {
                return Integer.parseInt(field(i));
            } catch (NumberFormatException e) {
                throw error("'" + field(i) + "' is not a whole number");
            }
        }

        double number(int i) throws RawDataException {
            try {
                double v = Double.parseDouble(field(i));
                if (!Double.isFinite(v)) {
                    throw error("'" + field(i) + "' is not a finite number");
                }
                return v;
            } catch (NumberFormatException e) {
                throw error("'" + field(i) + "' is not a number");
            }
        }

        Tunnel tunnel(int i) throws RawDataException {
            try {
                return Tunnel.byId(field(i));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        RawDataException error(String problem) {
            return new RawDataException(file, line, problem);
        }
    }

    private static List<Row> rows(Path file, String header) throws IOException, RawDataException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header)) {
            throw new RawDataException(file, 1, "the header is not '" + header + "'");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                rows.add(new Row(file, i + 1, fields(lines.get(i))));
            }
        }
        return rows;
    }

    /** Comma-separated fields; a field may be double-quoted, and then holds commas. */
    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
