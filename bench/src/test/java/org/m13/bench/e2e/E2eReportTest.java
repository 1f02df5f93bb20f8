package org.m13.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class E2eReportTest {
    @TempDir
    Path dir;

    @Test
    void writesTheDatedMarkdownAndItsChart() throws Exception {
        Path raw = Files.createDirectory(dir.resolve("raw"));
        RawDataTest.writeRun(raw, """
                1,bare,tcp_up_mbit,13663.3
                2,bare,tcp_up_mbit,12000
                3,bare,tcp_up_mbit,14000
                1,wireguard-go,tcp_up_mbit,475.6
                2,wireguard-go,tcp_up_mbit,470
                3,wireguard-go,tcp_up_mbit,480
                1,wireguard-go,start_ms,202
                2,wireguard-go,start_ms,190
                3,wireguard-go,start_ms,210
                """);
        Path md = E2eReport.write(raw, dir.resolve("results"));
        assertEquals("2026-12-01-e2e-quick.md", md.getFileName().toString());
        String text = Files.readString(md);
        assertTrue(text.contains("(quick run)"), text);
        assertTrue(text.contains("![charts](2026-12-01-e2e-quick.png)"), text);
        assertTrue(text.contains("| TCP node → hub, CUBIC, 1 stream (Mbit/s ↑) | 13663 (×28.7) | n/a | 476 |"), text);
        assertTrue(text.contains("- M13: not available: `./m13 hub` does not run yet"), text);

        Path png = dir.resolve("results/2026-12-01-e2e-quick.png");
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        BufferedImage image = ImageIO.read(png.toFile());
        // a header line, then three panels (throughput, ping, start-up), two per row
        assertEquals(2 * 720, image.getWidth());
        assertEquals(E2eChart.HEADER + 2 * 420, image.getHeight());
    }
}
