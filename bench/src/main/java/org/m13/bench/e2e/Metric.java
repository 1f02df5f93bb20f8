package org.m13.bench.e2e;

import com.google.errorprone.annotations.Immutable;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The rows of the report, each derived from one tunnel's raw values of one run. The
 * workload parameters behind the labels (CUBIC, 1300-byte datagrams, the satellite
 * scenarios) are set in bench/e2e/run; the report prints them from meta.txt.
 */
public enum Metric {
    TCP_UP(Group.THROUGHPUT, "TCP node → hub, CUBIC, 1 stream", "Mbit/s", Better.HIGHER, direct("tcp_up_mbit")),
    TCP_DOWN(Group.THROUGHPUT, "TCP hub → node, CUBIC, 1 stream", "Mbit/s", Better.HIGHER, direct("tcp_down_mbit")),
    UDP_RX(Group.THROUGHPUT, "UDP node → hub, 1300-byte datagrams: received", "Mbit/s", Better.HIGHER,
            direct("udp_rx_mbit")),
    UDP_LOSS(Group.THROUGHPUT, "UDP node → hub: lost", "%", Better.LOWER, direct("udp_loss_pct")),

    PING_IDLE_MIN(Group.LATENCY, "ping idle: min", "ms", Better.LOWER, rtt("idle", Stat.MIN)),
    PING_IDLE_MEDIAN(Group.LATENCY, "ping idle: median", "ms", Better.LOWER, rtt("idle", Stat.MEDIAN)),
    PING_IDLE_P99(Group.LATENCY, "ping idle: p99", "ms", Better.LOWER, rtt("idle", Stat.P99)),
    PING_IDLE_LOSS(Group.LATENCY, "ping idle: lost", "%", Better.LOWER, pingLoss("idle")),
    PING_LOAD_MIN(Group.LATENCY, "ping under TCP load: min", "ms", Better.LOWER, rtt("load", Stat.MIN)),
    PING_LOAD_MEDIAN(Group.LATENCY, "ping under TCP load: median", "ms", Better.LOWER, rtt("load", Stat.MEDIAN)),
    PING_LOAD_P99(Group.LATENCY, "ping under TCP load: p99", "ms", Better.LOWER, rtt("load", Stat.P99)),
    PING_LOAD_LOSS(Group.LATENCY, "ping under TCP load: lost", "%", Better.LOWER, pingLoss("load")),

    CPU_TCP_UP(Group.CPU, "TCP node → hub", "CPU s/GB", Better.LOWER, cpuPerGb("tcp_up")),
    CPU_TCP_DOWN(Group.CPU, "TCP hub → node", "CPU s/GB", Better.LOWER, cpuPerGb("tcp_down")),
    CPU_UDP(Group.CPU, "UDP node → hub, per GB received", "CPU s/GB", Better.LOWER, cpuPerGb("udp")),

    START(Group.START, "start, veth", "ms", Better.LOWER, direct("start_ms")),
    SAT300_START(Group.START, "start, 300 ms RTT, 2 % loss", "ms", Better.LOWER, direct("sat300_start_ms")),
    SAT600_START(Group.START, "start, 600 ms RTT, 5 % loss", "ms", Better.LOWER, direct("sat600_start_ms")),
    SAT300_START_P90(Group.START, "start, 300 ms RTT, 2 % loss: p90", "ms", Better.LOWER, direct("sat300_start_ms"),
            Across.P90),
    SAT300_START_WORST(Group.START, "start, 300 ms RTT, 2 % loss: worst", "ms", Better.LOWER,
            direct("sat300_start_ms"), Across.MAX),
    SAT600_START_P90(Group.START, "start, 600 ms RTT, 5 % loss: p90", "ms", Better.LOWER, direct("sat600_start_ms"),
            Across.P90),
    SAT600_START_WORST(Group.START, "start, 600 ms RTT, 5 % loss: worst", "ms", Better.LOWER,
            direct("sat600_start_ms"), Across.MAX),

    SAT300_CUBIC(Group.SATELLITE, "300 ms RTT, 2 % loss: TCP hub → node, CUBIC", "Mbit/s", Better.HIGHER,
            direct("sat300_cubic_mbit")),
    SAT300_BBR(Group.SATELLITE, "300 ms RTT, 2 % loss: TCP hub → node, BBR", "Mbit/s", Better.HIGHER,
            direct("sat300_bbr_mbit")),
    SAT600_CUBIC(Group.SATELLITE, "600 ms RTT, 5 % loss: TCP hub → node, CUBIC", "Mbit/s", Better.HIGHER,
            direct("sat600_cubic_mbit")),
    SAT600_BBR(Group.SATELLITE, "600 ms RTT, 5 % loss: TCP hub → node, BBR", "Mbit/s", Better.HIGHER,
            direct("sat600_bbr_mbit"));

    /** The tables of the report, in order. */
    public enum Group {
        THROUGHPUT("Throughput on the veth pair"),
        LATENCY("Round-trip time on the veth pair (200 pings node → hub)"),
        CPU("CPU seconds of the tunnel processes per GB received"),
        START("Start to first packet (both ends started, first ping answered)"),
        SATELLITE("Satellite links through m13 linkem");

        private final String title;

        Group(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    public enum Better {
        HIGHER("↑"), LOWER("↓");

        private final String arrow;

        Better(String arrow) {
            this.arrow = arrow;
        }

        public String arrow() {
            return arrow;
        }
    }

    enum Stat {
        MIN, MEDIAN, P99
    }

    /** How a row combines the runs' values: the median, or for start-up the p90 and the worst of the trials. */
    public enum Across {
        MEDIAN, P90, MAX
    }

    /** One tunnel's raw values of one run: results.csv scalars and rtt.csv series. */
    public record RunValues(Map<String, Double> scalars, Map<String, List<Double>> rtts) {
    }

    /** Computes a metric from one run's values; empty when that run lacks them. */
    @FunctionalInterface
    @Immutable
    interface Derivation {
        OptionalDouble of(RunValues run);
    }

    private final Group group;
    private final String label;
    private final String unit;
    private final Better better;
    private final Derivation derivation;
    private final Across across;

    Metric(Group group, String label, String unit, Better better, Derivation derivation) {
        this(group, label, unit, better, derivation, Across.MEDIAN);
    }

    Metric(Group group, String label, String unit, Better better, Derivation derivation, Across across) {
        this.group = group;
        this.label = label;
        this.unit = unit;
        this.better = better;
        this.derivation = derivation;
        this.across = across;
    }

    public Across across() {
        return across;
    }

    /** A satellite start-up row: its values come from every run and every extra start-up trial. */
    public boolean satelliteStart() {
        return satellite() && group == Group.START;
    }

    public Group group() {
        return group;
    }

    public String label() {
        return label;
    }

    public String unit() {
        return unit;
    }

    public Better better() {
        return better;
    }

    /** The satellite scenarios' metrics, which have their own number of runs. */
    public boolean satellite() {
        return name().startsWith("SAT");
    }

    public OptionalDouble of(RunValues run) {
        return derivation.of(run);
    }

    private static Derivation direct(String name) {
        return run -> {
            Double v = run.scalars().get(name);
            return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
        };
    }

    private static Derivation rtt(String series, Stat stat) {
        return run -> {
            List<Double> v = run.rtts().get(series);
            if (v == null || v.isEmpty()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(switch (stat) {
                case MIN -> Stats.min(v);
                case MEDIAN -> Stats.median(v);
                case P99 -> Stats.percentile(v, 99);
            });
        };
    }

    private static Derivation pingLoss(String series) {
        return run -> {
            Double sent = run.scalars().get("ping_" + series + "_sent");
            Double received = run.scalars().get("ping_" + series + "_received");
            if (sent == null || received == null || sent <= 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(100 * (sent - received) / sent);
        };
    }

    /** CPU seconds over the test divided by the gigabytes (10^9 bytes) received in it. */
    private static Derivation cpuPerGb(String test) {
        return run -> {
            Double cpu = run.scalars().get(test + "_cpu_s");
            Double bytes = run.scalars().get(test + "_bytes");
            if (cpu == null || bytes == null || bytes <= 0) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(cpu / (bytes / 1e9));
        };
    }
}
