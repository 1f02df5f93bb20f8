package org.m13.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {
    @Test
    void numbersKeepThreeSignificantDigitsAndWholeNumbersAbove100() {
        assertEquals("13663", MarkdownReport.number(13663.3));
        assertEquals("476", MarkdownReport.number(475.6));
        assertEquals("36.7", MarkdownReport.number(36.74));
        assertEquals("4.32", MarkdownReport.number(4.321));
        assertEquals("0.035", MarkdownReport.number(0.0349));
        assertEquals("0", MarkdownReport.number(0));
    }

    @Test
    void ratiosHaveTwoDecimalsBelowTen() {
        assertEquals("×0.59", MarkdownReport.ratio(0.5887));
        assertEquals("×28.7", MarkdownReport.ratio(28.73));
        assertEquals("×140", MarkdownReport.ratio(140.2));
    }

    @Test
    void tableHasOneColumnPerTunnelAndRatiosBesideTheFigures() {
        Fixtures f = new Fixtures().ok(Tunnel.BARE, Tunnel.WIREGUARD_GO, Tunnel.OPENVPN)
                .unavailable(Tunnel.M13, "`./m13 hub` does not run yet")
                .values(Tunnel.BARE, "tcp_up_mbit", 13000, 14000, 12000)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_mbit", 480, 400, 470)
                .values(Tunnel.OPENVPN, "tcp_up_mbit", 282, 300)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_cpu_s", 2, 2, 2)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_bytes", 1e8, 1e8, 1e8);
        RawData d = f.data();
        Summary s = Summary.of(d, 3);
        String table = MarkdownReport.table(s, List.of(Tunnel.values()), d.measured(),
                List.of(Metric.TCP_UP, Metric.TCP_DOWN, Metric.CPU_TCP_UP));
        assertEquals("""
                | | bare veth | M13 | wireguard-go | OpenVPN |
                |---|---:|---:|---:|---:|
                | TCP node → hub, CUBIC, 1 stream (Mbit/s ↑) | 13000 (×27.7) | n/a | 470 | 291 (×0.62) [2 of 3] |
                | TCP node → hub (CPU s/GB ↓) | — | n/a | 20.0 | — |
                """, table);
    }

    @Test
    void satelliteFiguresCountAgainstTheSatelliteRuns() {
        Fixtures f = new Fixtures().ok(Tunnel.WIREGUARD_GO)
                .values(Tunnel.WIREGUARD_GO, "tcp_up_mbit", 480, 400, 470)
                .values(Tunnel.WIREGUARD_GO, "sat300_bbr_mbit", 11.9, 12.1, 11.5);
        Summary s = Summary.of(f.data(), 5, 3);
        assertEquals("470 [3 of 5]", MarkdownReport.cell(s, Tunnel.WIREGUARD_GO, Metric.TCP_UP, true));
        assertEquals("11.9", MarkdownReport.cell(s, Tunnel.WIREGUARD_GO, Metric.SAT300_BBR, true));
    }

    @Test
    void resultsSayWhyATunnelDidNotRunAndListFailures() {
        Fixtures f = new Fixtures().ok(Tunnel.BARE, Tunnel.WIREGUARD_GO)
                .unavailable(Tunnel.M13, "`./m13 hub` does not run yet")
                .values(Tunnel.WIREGUARD_GO, "tcp_up_mbit", 480, 400, 470);
        f.failures.add(new RawData.Failure(2, "wireguard-go", "udp", "iperf3 failed (exit 124)"));
        String md = MarkdownReport.results(f.data(), Summary.of(f.data(), 3));
        assertTrue(md.contains("### Throughput on the veth pair\n"), md);
        assertTrue(md.contains("- M13: not available: `./m13 hub` does not run yet\n"), md);
        assertTrue(md.contains("- run 2, wireguard-go, udp: iperf3 failed (exit 124)"), md);
        assertTrue(!md.contains("### Satellite"), md);
    }

    @Test
    void satelliteScenariosReadAsASentence() {
        assertEquals("sat300: 150 ms each way (300 ms RTT), 2% loss each way; sat600: 300 ms each way (600 ms RTT),"
                + " 5% loss each way", MarkdownReport.scenarios("sat300 150 2%;sat600 300 5%;"));
    }

    @Test
    void perRunTableShowsEveryRunInOrderWithGaps() {
        Fixtures f = new Fixtures().ok(Tunnel.OPENVPN);
        f.samples.add(new RawData.Sample(1, Tunnel.OPENVPN, "start_ms", 150));
        f.samples.add(new RawData.Sample(3, Tunnel.OPENVPN, "start_ms", 170));
        String t = MarkdownReport.perRunTable(f.data(), Summary.of(f.data(), 3));
        assertEquals("""
                | metric | tunnel | run 1 | run 2 | run 3 |
                |---|---|---:|---:|---:|
                | start, veth (ms) | OpenVPN | 150 | — | 170 |
                """, t);
    }
}
