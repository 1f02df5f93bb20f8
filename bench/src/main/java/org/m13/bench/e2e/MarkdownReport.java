package org.m13.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;

/** The dated results file: machine and versions, the tables, how they were made, per-run values. */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    /** Three significant digits at most, never exponent notation; integers above 100. */
    static String number(double v) {
        double a = Math.abs(v);
        int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a == 0 ? 0 : 3;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** "×0.59", "×12.3", "×140". */
    static String ratio(double r) {
        int decimals = r >= 100 ? 0 : r >= 10 ? 1 : 2;
        return "×" + String.format(Locale.ROOT, "%." + decimals + "f", r);
    }

    /**
     * One cell: the median, the ratio to the reference in brackets (not in the
     * reference's own column), and "[k of n]" when fewer than all runs gave a value.
     * "n/a": the tunnel did not run; "—": it ran but gave no value.
     */
    static String cell(Summary s, Tunnel t, Metric m, boolean measured) {
        if (!measured) {
            return "n/a";
        }
        OptionalDouble v = s.value(t, m);
        if (v.isEmpty()) {
            return "—";
        }
        StringBuilder b = new StringBuilder(number(v.getAsDouble()));
        OptionalDouble r = s.ratio(t, m);
        if (t != Tunnel.REFERENCE && r.isPresent()) {
            b.append(" (").append(ratio(r.getAsDouble())).append(')');
        }
        int n = s.count(t, m);
        if (n < s.runs(m)) {
            b.append(" [").append(n).append(" of ").append(s.runs(m)).append(']');
        }
        return b.toString();
    }

    /** A Markdown table: one row per metric that has a value, one column per tunnel. */
    static String table(Summary s, List<Tunnel> columns, List<Tunnel> measured, List<Metric> rows) {
        StringBuilder b = new StringBuilder("| |");
        for (Tunnel t : columns) {
            b.append(' ').append(t.label()).append(" |");
        }
        b.append("\n|---|");
        b.append("---:|".repeat(columns.size()));
        b.append('\n');
        for (Metric m : rows) {
            if (!s.has(m)) {
                continue;
            }
            b.append("| ").append(m.label()).append(" (").append(m.unit()).append(' ').append(m.better().arrow())
                    .append(") |");
            for (Tunnel t : columns) {
                b.append(' ').append(cell(s, t, m, measured.contains(t))).append(" |");
            }
            b.append('\n');
        }
        return b.toString();
    }

    static List<Metric> rows(Metric.Group g) {
        List<Metric> out = new ArrayList<>();
        for (Metric m : Metric.values()) {
            if (m.group() == g) {
                out.add(m);
            }
        }
        return out;
    }

    /** The results section alone (also printed to the terminal at the end of a run). */
    static String results(RawData d, Summary s) {
        List<Tunnel> columns = new ArrayList<>(d.status().keySet());
        List<Tunnel> measured = d.measured();
        StringBuilder b = new StringBuilder();
        for (Metric.Group g : Metric.Group.values()) {
            if (s.has(g)) {
                b.append("### ").append(g.title()).append("\n\n").append(table(s, columns, measured, rows(g))).append('\n');
            }
        }
        List<String> missing = new ArrayList<>();
        d.status().forEach((t, st) -> {
            if (!st.ok()) {
                missing.add("- " + t.label() + ": not available: " + st.reason());
            }
        });
        if (measured.contains(Tunnel.BARE)) {
            missing.add("- bare veth: no CPU or start-up figures (no tunnel process; the kernel does the work).");
        }
        if (!measured.contains(Tunnel.REFERENCE)) {
            missing.add("- wireguard-go did not run: no ratios.");
        }
        for (RawData.Failure f : d.failures()) {
            missing.add("- run " + f.run() + ", " + f.tunnel() + ", " + f.what() + ": " + f.reason());
        }
        if (!missing.isEmpty()) {
            b.append("Not measured, and failures:\n\n").append(String.join("\n", missing)).append("\n\n");
        }
        return b.toString();
    }

    public static String render(RawData d, Summary s, String pngName) {
        StringBuilder b = new StringBuilder();
        boolean quick = d.meta("quick").equals("1");
        List<String> names = new ArrayList<>();
        for (Tunnel t : d.status().keySet()) {
            names.add(t.label());
        }
        b.append("# End-to-end: ").append(String.join(", ", names)).append(", ").append(d.meta("date"))
                .append(quick ? " (quick run)" : "").append("\n\n");
        if (quick) {
            b.append("> **Quick run** (`--quick`): ").append(s.runs()).append(s.runs() == 1 ? " run" : " runs")
                    .append(" of short workloads (TCP ").append(d.meta("tcp_secs")).append(" s, UDP ")
                    .append(d.meta("udp_secs")).append(" s")
                    .append(s.has(Metric.Group.SATELLITE) ? ", satellite TCP " + d.meta("sat_secs") + " s" : "")
                    .append("). Indicative only: the full run is `./m13 bench`.\n\n");
        }
        if (s.runs() < 3) {
            b.append("> **Fewer than 3 runs**: these medians are of ").append(s.runs())
                    .append(s.runs() == 1 ? " run" : " runs").append(", for development only.\n\n");
        }
        b.append("| | |\n|---|---|\n");
        b.append("| machine | ").append(d.meta("cpu")).append(", ").append(d.meta("cores")).append(" cores")
                .append(d.meta("hypervisor").isEmpty() ? "" : " (" + d.meta("hypervisor") + " guest)")
                .append(", ").append(d.meta("memory")).append("; shared with other engineers' builds and tests"
                        + " (load average ").append(d.meta("load_start")).append(" at the start, ")
                .append(d.meta("load_end")).append(" at the end) |\n");
        b.append("| kernel | ").append(d.meta("kernel")).append(", ").append(d.meta("os")).append(" |\n");
        b.append("| tunnels | wireguard-go ").append(d.meta("wireguard-go"))
                .append(" (Debian; userspace: this kernel has no WireGuard module), wireguard-tools ")
                .append(d.meta("wireguard-tools")).append("; ").append(d.meta("openvpn").replaceAll(" \\[.*", ""))
                .append(" (Debian; without DCO: no ovpn-dco module here); M13 at ").append(d.meta("m13"))
                .append(" |\n");
        b.append("| tools | ").append(d.meta("iperf3")).append("; ").append(d.meta("openssl").replaceAll(" \\(.*", ""))
                .append("; ")
                .append(d.meta("java")).append(" |\n");
        b.append("| command | `").append(d.meta("command")).append("` |\n");
        b.append("| runs | ").append(s.runs())
                .append(s.has(Metric.Group.SATELLITE) ? " (satellite scenarios: " + s.satRuns() + ")" : "")
                .append(s.startTrials() > 0 ? "; satellite start-up: " + s.satRuns() + " + " + s.startTrials()
                        + " trials per scenario" : "")
                .append(", interleaved (").append(String.join(" → ", names))
                .append(" → ").append(names.get(0)).append(" → …); every figure is the median over the runs"
                        + " unless its row says p90 or worst |\n");
        b.append("| when | ").append(d.meta("started")).append(", ").append(duration(d.meta("duration_s")))
                .append(" |\n\n");
        b.append("![charts](").append(pngName).append(")\n\n");

        b.append("## Results\n\n");
        b.append("Each cell is the median over the runs, with the ratio to wireguard-go's median in brackets"
                + " (↑: higher is better, ↓: lower is better); `[k of n]`: only k of the n runs gave a figure;"
                + " n/a: the tunnel did not run (see below); —: no figure.\n\n");
        b.append(results(d, s));

        b.append("## What ran\n\n");
        b.append("- Topology: namespaces ").append(d.meta("underlay")).append(". The hub/server end of each tunnel"
                + " and the iperf3 server are in the first namespace, the node/client end, the iperf3 client"
                + " and ping in the second. Tunnel MTU 1400 for every tunnel.\n");
        b.append("- Congestion control available: ").append(d.meta("cc_available")).append("; the veth TCP tests use ")
                .append(d.meta("cc_main")).append(", the satellite tests ").append(d.meta("sat_ccs")).append(".\n");
        b.append("- Each run brings every tunnel up, runs the workloads below in this order and takes it down;"
                + " TUN_A is the tunnel address of the hub end (the underlay address for the bare veth).\n\n");
        b.append("| workload | command |\n|---|---|\n");
        for (Map.Entry<String, String> e : d.meta().entrySet()) {
            if (e.getKey().startsWith("cmd.")) {
                b.append("| ").append(e.getKey().substring(4)).append(" | `").append(e.getValue().replace("|", "\\|"))
                        .append("` |\n");
            }
        }
        b.append('\n');
        b.append("- UDP: ").append(d.meta("udp_len")).append("-byte datagrams offered at ")
                .append(d.meta("udp_rate").replaceAll("^([0-9.]+)([KMG])$", "$1 $2")).append("bit/s; received rate and"
                        + " loss as the iperf3 receiver counted them.\n");
        b.append("- Ping: ").append(d.meta("ping_count")).append(" echoes per run, idle every ")
                .append(d.meta("ping_idle_interval")).append(" s and during the TCP node → hub test every ")
                .append(d.meta("ping_load_interval")).append(" s; min, median and p99 (nearest rank: the 198th of"
                        + " 200) of each run's answered echoes, then the median over the runs.\n");
        b.append("- CPU: user + system time (/proc/PID/stat, all threads) of the tunnel's processes on both ends"
                + " across the test, divided by the bytes the iperf3 receiver got. Kernel work done outside"
                + " those processes' context (softirq) is not counted.\n");
        b.append("- Start to first packet: from starting the hub/server end (the node/client end is started as"
                + " soon as the server listens) to the first answered ping through the tunnel, pinging every"
                + " 10 ms; keys and certificates are made beforehand, ARP entries are permanent.\n");
        if (s.has(Metric.Group.SATELLITE)) {
            b.append("- Satellite: a third namespace between the two runs `m13 linkem` (this kernel has no netem)"
                    + " with, each way, the scenario's delay and random loss and a ").append(d.meta("sat_rate_mbit"))
                    .append(" Mbit/s rate limit (drop-tail queue of 1000 frames); ").append(scenarios(d.meta("sat_scenarios")))
                    .append("; TCP over ")
                    .append(d.meta("sat_secs")).append(" s, hub → node.\n");
        }
        b.append('\n');

        b.append("## Tunnel configurations\n\n");
        d.configs().forEach((t, c) -> b.append("### ").append(t.label()).append("\n\n").append(c).append("\n\n"));

        b.append("## Values per run\n\n");
        b.append(perRunTable(d, s));
        return b.toString();
    }

    static String perRunTable(RawData d, Summary s) {
        int columns = 0;
        for (Metric m : Metric.values()) {
            if (s.has(m)) {
                columns = Math.max(columns, s.runs(m));
            }
        }
        StringBuilder b = new StringBuilder("| metric | tunnel |");
        for (int r = 1; r <= columns; r++) {
            b.append(" run ").append(r).append(" |");
        }
        b.append("\n|---|---|").append("---:|".repeat(columns)).append('\n');
        for (Metric m : Metric.values()) {
            for (Tunnel t : d.measured()) {
                SortedMap<Integer, Double> v = s.perRun(t, m);
                if (v.isEmpty()) {
                    continue;
                }
                b.append("| ").append(m.label()).append(" (").append(m.unit()).append(") | ").append(t.label())
                        .append(" |");
                for (int r = 1; r <= columns; r++) {
                    Double x = v.get(r);
                    b.append(' ').append(x == null ? "—" : number(x)).append(" |");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** "sat300 150 2%;sat600 300 5%;" (name, one-way delay in ms, loss) as a sentence. */
    static String scenarios(String meta) {
        List<String> out = new ArrayList<>();
        for (String sc : meta.split(";", -1)) {
            String[] f = sc.strip().split("\\s+", -1);
            if (f.length == 3) {
                try {
                    int oneWay = Integer.parseInt(f[1]);
                    out.add(f[0] + ": " + oneWay + " ms each way (" + 2 * oneWay + " ms RTT), " + f[2] + " loss each way");
                } catch (NumberFormatException e) {
                    out.add(sc.strip());
                }
            } else if (!sc.isBlank()) {
                out.add(sc.strip());
            }
        }
        return String.join("; ", out);
    }

    private static String duration(String seconds) {
        try {
            int sec = Integer.parseInt(seconds);
            return "took " + (sec / 60) + " min " + (sec % 60) + " s";
        } catch (NumberFormatException e) {
            return "duration unknown";
        }
    }
}
