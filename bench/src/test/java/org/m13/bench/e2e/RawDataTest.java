package org.m13.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawDataTest {
    @TempDir
    Path dir;

    static void writeRun(Path dir, String results) throws IOException {
        Files.writeString(dir.resolve("meta.txt"), "date=2026-12-01\nruns=3\nquick=1\ncmd.udp=iperf3 -u -b 1G\n");
        Files.writeString(dir.resolve("results.csv"), "run,tunnel,metric,value\n" + results);
        Files.writeString(dir.resolve("rtt.csv"), """
                run,tunnel,series,rtt_ms
                1,wireguard-go,idle,0.31
                2,wireguard-go,idle,0.29
                3,wireguard-go,idle,0.33
                """);
        Files.writeString(dir.resolve("status.csv"), """
                tunnel,state,reason
                bare,ok,
                m13,unavailable,"`./m13 hub` does not run yet (exits 2: usage, see README)"
                wireguard-go,ok,
                """);
        Files.writeString(dir.resolve("failures.csv"), "run,tunnel,what,reason\n2,bare,udp,\"iperf3 failed, exit 1\"\n");
        Files.writeString(dir.resolve("config-wireguard-go.md"), "wg set ...\n");
    }

    @Test
    void readsWhatTheHarnessWrites() throws Exception {
        writeRun(dir, "1,bare,tcp_up_mbit,13663.3\n1,wireguard-go,tcp_up_mbit,475.6\n");
        RawData d = RawData.load(dir);
        assertEquals("2026-12-01", d.meta("date"));
        assertEquals("iperf3 -u -b 1G", d.meta("cmd.udp"));
        assertEquals(List.of(new RawData.Sample(1, Tunnel.BARE, "tcp_up_mbit", 13663.3),
                new RawData.Sample(1, Tunnel.WIREGUARD_GO, "tcp_up_mbit", 475.6)), d.samples());
        assertEquals(3, d.rtts().size());
        assertFalse(d.status().get(Tunnel.M13).ok());
        assertEquals("`./m13 hub` does not run yet (exits 2: usage, see README)", d.status().get(Tunnel.M13).reason());
        assertEquals(List.of(Tunnel.BARE, Tunnel.WIREGUARD_GO), d.measured());
        assertEquals("iperf3 failed, exit 1", d.failures().get(0).reason());
        assertEquals("wg set ...", d.configs().get(Tunnel.WIREGUARD_GO));
    }

    @Test
    void aBadLineIsAnErrorNamingFileAndLine() throws Exception {
        writeRun(dir, "1,bare,tcp_up_mbit,13663.3\n2,bare,tcp_up_mbit,fast\n");
        RawDataException e = assertThrows(RawDataException.class, () -> RawData.load(dir));
        assertTrue(e.getMessage().endsWith("results.csv:3: 'fast' is not a number"), e.getMessage());

        writeRun(dir, "1,tinc,tcp_up_mbit,1\n");
        e = assertThrows(RawDataException.class, () -> RawData.load(dir));
        assertTrue(e.getMessage().contains("results.csv:2: unknown tunnel 'tinc'"), e.getMessage());
    }

    @Test
    void quotedFieldsMayHoldCommasAndQuotes() {
        assertEquals(List.of("m13", "unavailable", "a, b \"c\""), RawData.fields("m13,unavailable,\"a, b \"\"c\"\"\""));
        assertEquals(List.of("bare", "ok", ""), RawData.fields("bare,ok,"));
    }
}
