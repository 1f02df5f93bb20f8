package org.m13.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SummaryTest {
    private static final double EPS = 1e-9;

    @Test
    void eachFigureIsTheMedianOfItsRunsAndItsRatioIsToWireguardGo() {
        Fixtures f = new Fixtures().ok(Tunnel.BARE, Tunnel.WIREGUARD_GO, Tunnel.OPENVPN)
                .values(Tunnel.BARE, "tcp_up_mbit", 9000, 14000, 12000)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_mbit", 480, 400, 470)
                .values(Tunnel.OPENVPN, "tcp_up_mbit", 100, 282, 300);
        Summary s = Summary.of(f.data(), 3);
        assertEquals(12000, s.value(Tunnel.BARE, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(470, s.value(Tunnel.WIREGUARD_GO, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(282, s.value(Tunnel.OPENVPN, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(12000.0 / 470, s.ratio(Tunnel.BARE, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(282.0 / 470, s.ratio(Tunnel.OPENVPN, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(1.0, s.ratio(Tunnel.WIREGUARD_GO, Metric.TCP_UP).getAsDouble(), EPS);
        assertEquals(3, s.count(Tunnel.OPENVPN, Metric.TCP_UP));
        assertTrue(s.has(Metric.TCP_UP));
        assertFalse(s.has(Metric.TCP_DOWN));
        assertTrue(s.has(Metric.Group.THROUGHPUT));
        assertFalse(s.has(Metric.Group.SATELLITE));
    }

    @Test
    void startUpRowsGiveTheMedianP90AndWorstOfEveryRunAndTrial() {
        double[] ms = new double[23]; // 3 runs + 20 start-up trials
        for (int i = 0; i < ms.length; i++) {
            ms[i] = 1000 + 100 * i; // 1000 .. 3200
        }
        Fixtures f = new Fixtures().ok(Tunnel.M13, Tunnel.WIREGUARD_GO).values(Tunnel.M13, "sat300_start_ms", ms)
                .values(Tunnel.WIREGUARD_GO, "sat300_start_ms", 500, 600, 700);
        Summary s = Summary.of(f.data(), 5, 3, 20);
        assertEquals(2100, s.value(Tunnel.M13, Metric.SAT300_START).getAsDouble(), EPS, "median of 23");
        assertEquals(3000, s.value(Tunnel.M13, Metric.SAT300_START_P90).getAsDouble(), EPS, "nearest-rank p90: 21st");
        assertEquals(3200, s.value(Tunnel.M13, Metric.SAT300_START_WORST).getAsDouble(), EPS);
        assertEquals(23, s.runs(Metric.SAT300_START_P90), "runs and trials");
        assertEquals(3, s.runs(Metric.SAT300_CUBIC), "TCP rows: the runs only");
        assertEquals(3200.0 / 700, s.ratio(Tunnel.M13, Metric.SAT300_START_WORST).getAsDouble(), EPS);
    }

    @Test
    void noRatioWithoutTheReferenceOrWhenItIsZero() {
        Fixtures f = new Fixtures().ok(Tunnel.BARE, Tunnel.WIREGUARD_GO, Tunnel.OPENVPN)
                .values(Tunnel.BARE, "tcp_up_mbit", 1, 2, 3)
                .values(Tunnel.WIREGUARD_GO, "udp_loss_pct", 0, 0, 0)
                .values(Tunnel.OPENVPN, "udp_loss_pct", 1, 2, 3);
        Summary s = Summary.of(f.data(), 3);
        assertTrue(s.ratio(Tunnel.BARE, Metric.TCP_UP).isEmpty());
        assertTrue(s.ratio(Tunnel.OPENVPN, Metric.UDP_LOSS).isEmpty());
        assertTrue(s.value(Tunnel.M13, Metric.TCP_UP).isEmpty());
    }

    @Test
    void cpuPerGigabyteIsDerivedPerRunThenTheMedianTaken() {
        // runs: 2 s for 0.1 GB (20 s/GB), 3 s for 0.1 GB (30), 1 s for 0.2 GB (5)
        Fixtures f = new Fixtures().ok(Tunnel.WIREGUARD_GO)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_cpu_s", 2, 3, 1)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_bytes", 1e8, 1e8, 2e8);
        Summary s = Summary.of(f.data(), 3);
        assertEquals(20, s.value(Tunnel.WIREGUARD_GO, Metric.CPU_TCP_UP).getAsDouble(), EPS);
        assertEquals(5, s.perRun(Tunnel.WIREGUARD_GO, Metric.CPU_TCP_UP).get(3), EPS);
    }

    @Test
    void pingFiguresComeFromEachRunsRoundTripsThenTheMedianOverRuns() {
        Fixtures f = new Fixtures().ok(Tunnel.OPENVPN)
                .rtts(Tunnel.OPENVPN, 1, "idle", 1, 2, 3, 10)
                .rtts(Tunnel.OPENVPN, 2, "idle", 2, 4, 6, 20)
                .rtts(Tunnel.OPENVPN, 3, "idle", 3, 3, 3, 3)
                .values(Tunnel.OPENVPN, "ping_load_sent", 200, 200, 200)
                .values(Tunnel.OPENVPN, "ping_load_received", 200, 190, 198);
        Summary s = Summary.of(f.data(), 3);
        // per run: min 1, 2, 3; median 2.5, 5, 3; p99 10, 20, 3
        assertEquals(2, s.value(Tunnel.OPENVPN, Metric.PING_IDLE_MIN).getAsDouble(), EPS);
        assertEquals(3, s.value(Tunnel.OPENVPN, Metric.PING_IDLE_MEDIAN).getAsDouble(), EPS);
        assertEquals(10, s.value(Tunnel.OPENVPN, Metric.PING_IDLE_P99).getAsDouble(), EPS);
        // lost: 0 %, 5 %, 1 %
        assertEquals(1, s.value(Tunnel.OPENVPN, Metric.PING_LOAD_LOSS).getAsDouble(), EPS);
        assertTrue(s.value(Tunnel.OPENVPN, Metric.PING_LOAD_MEDIAN).isEmpty());
    }

    @Test
    void aRunWithoutTheFigureIsLeftOutAndCounted() {
        Fixtures f = new Fixtures().ok(Tunnel.OPENVPN);
        f.samples.add(new RawData.Sample(1, Tunnel.OPENVPN, "start_ms", 150));
        f.samples.add(new RawData.Sample(3, Tunnel.OPENVPN, "start_ms", 170));
        Summary s = Summary.of(f.data(), 3);
        assertEquals(2, s.count(Tunnel.OPENVPN, Metric.START));
        assertEquals(160, s.value(Tunnel.OPENVPN, Metric.START).getAsDouble(), EPS);
    }
}
