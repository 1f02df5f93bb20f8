package org.m13.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code E2eReport --in RAW_DIR --out RESULTS_DIR}: the medians, ratios, Markdown
 * table and PNG chart of one harness run; writes RESULTS_DIR/DATE-e2e.md (DATE-e2e-quick.md,
 * DATE-e2e-satellite.md for a run without the veth workloads, DATE-e2e-satellite-start.md
 * for start-up trials only) and the PNG of the same name, and prints the results tables.
 */
public final class E2eReport {
    private E2eReport() {
    }

    public static void main(String[] args) {
        Path in = null;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--in" -> in = Path.of(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        if (in == null || out == null || args.length % 2 != 0) {
            usage("--in and --out are required");
            return;
        }
        try {
            Path md = write(in, out);
            System.out.println("wrote " + md + " and " + md.resolveSibling(stem(md) + ".png"));
        } catch (IOException | RawDataException e) {
            System.err.println("E2eReport: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Writes the two files; returns the Markdown file's path. */
    public static Path write(Path in, Path out) throws IOException, RawDataException {
        RawData d = RawData.load(in);
        int runs = count(in, d, "runs", null);
        Summary s = Summary.of(d, runs, count(in, d, "sat_runs", runs), count(in, d, "sat_start_trials", 0));
        boolean quick = d.meta("quick").equals("1");
        // satellite-only runs (--no-main) and start-up-only ones (--sat-runs 0) get their own names
        boolean mainOff = d.meta("main").equals("0")
                || (d.meta("main").isEmpty() && d.meta("command").contains("--no-main"));
        String name = d.meta("date") + "-e2e" + (mainOff ? "-satellite" : "")
                + (mainOff && d.meta("sat_runs").equals("0") ? "-start" : "") + (quick ? "-quick" : "");
        Files.createDirectories(out);
        Path md = out.resolve(name + ".md");
        Path png = out.resolve(name + ".png");
        StringBuilder heading = new StringBuilder("M13 end-to-end benchmark, ").append(d.meta("date"))
                .append(quick ? ", quick run" : "").append(": medians of ").append(runs).append(" interleaved runs");
        RawData.Status m13 = d.status().get(Tunnel.M13);
        if (m13 != null && !m13.ok()) {
            heading.append("; M13 not available (see the results file)");
        }
        E2eChart.write(s, d.measured(), heading.toString(), png);
        Files.writeString(md, MarkdownReport.render(d, s, png.getFileName().toString()), StandardCharsets.UTF_8);
        System.out.print(MarkdownReport.results(d, s));
        return md;
    }

    /** A run count from meta.txt; {@code fallback} when absent (null: required). */
    private static int count(Path in, RawData d, String key, Integer fallback) throws RawDataException {
        String v = d.meta(key);
        if (v.isEmpty() && fallback != null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new RawDataException(in.resolve("meta.txt"), 0, key + ": '" + v + "' is not a number");
        }
    }

    private static String stem(Path p) {
        String f = p.getFileName().toString();
        return f.substring(0, f.lastIndexOf('.'));
    }

    private static void usage(String problem) {
        System.err.println("E2eReport: " + problem + "\nusage: E2eReport --in RAW_DIR --out RESULTS_DIR");
        System.exit(2);
    }
}
