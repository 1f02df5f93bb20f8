package org.m13.bench.e2e;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/** The PNG beside the results file: one bar chart per group of metrics, two per row. */
public final class E2eChart {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    /** The band above the panels that says what the figures are. */
    static final int HEADER = 40;

    private E2eChart() {
    }

    /** A panel: title, y axis (unit, logarithmic, number pattern of axis and labels), bars (metric, name). */
    record Panel(String title, String yAxis, boolean log, String pattern, List<Metric> metrics, List<String> names) {
    }

    static List<Panel> panels() {
        return List.of(
                new Panel("Throughput, veth (log scale)", "Mbit/s", true, "#,##0",
                        List.of(Metric.TCP_UP, Metric.TCP_DOWN, Metric.UDP_RX),
                        List.of("TCP node→hub", "TCP hub→node", "UDP received")),
                new Panel("Ping round trip, veth (log scale)", "ms", true, "#,##0.###",
                        List.of(Metric.PING_IDLE_MEDIAN, Metric.PING_IDLE_P99, Metric.PING_LOAD_MEDIAN,
                                Metric.PING_LOAD_P99),
                        List.of("idle median", "idle p99", "load median", "load p99")),
                new Panel("CPU of the tunnel processes per GB", "CPU s/GB", false, "#,##0.#",
                        List.of(Metric.CPU_TCP_UP, Metric.CPU_TCP_DOWN, Metric.CPU_UDP),
                        List.of("TCP node→hub", "TCP hub→node", "UDP")),
                new Panel("Start to first packet", "ms", false, "#,##0",
                        List.of(Metric.START, Metric.SAT300_START, Metric.SAT600_START),
                        List.of("veth", "300 ms RTT 2 %", "600 ms RTT 5 %")),
                new Panel("Satellite TCP goodput, hub→node", "Mbit/s", false, "#,##0.#",
                        List.of(Metric.SAT300_CUBIC, Metric.SAT300_BBR, Metric.SAT600_CUBIC, Metric.SAT600_BBR),
                        List.of("300 ms 2 % CUBIC", "300 ms 2 % BBR", "600 ms 5 % CUBIC", "600 ms 5 % BBR")));
    }

    static Color color(Tunnel t) {
        return switch (t) {
            case BARE -> new Color(0x8c8c8c);
            case M13 -> new Color(0xd62728);
            case WIREGUARD_GO -> new Color(0x1f77b4);
            case OPENVPN -> new Color(0xff7f0e);
        };
    }

    /** The charts that have data; a panel without any value is left out. */
    static List<CategoryChart> charts(Summary s, List<Tunnel> measured) {
        List<CategoryChart> charts = new ArrayList<>();
        for (Panel p : panels()) {
            List<String> categories = new ArrayList<>();
            List<Metric> metrics = new ArrayList<>();
            for (int i = 0; i < p.metrics().size(); i++) {
                if (s.has(p.metrics().get(i))) {
                    metrics.add(p.metrics().get(i));
                    categories.add(p.names().get(i));
                }
            }
            if (metrics.isEmpty()) {
                continue;
            }
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(p.title()).yAxisTitle(p.yAxis()).build();
            var unusedStyler = chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS)
                    .setLegendLayout(Styler.LegendLayout.Horizontal)
                    .setChartBackgroundColor(Color.WHITE);
            // a log axis must start above 0 (xchart draws bars from the axis minimum): the
            // decade below the smallest value, where a missing bar is drawn with no height
            double floor = 0;
            if (p.log()) {
                double min = Double.MAX_VALUE;
                for (Tunnel t : measured) {
                    for (Metric m : metrics) {
                        OptionalDouble v = s.value(t, m);
                        if (v.isPresent() && v.getAsDouble() > 0) {
                            min = Math.min(min, v.getAsDouble());
                        }
                    }
                }
                floor = min == Double.MAX_VALUE ? 1 : Math.pow(10, Math.floor(Math.log10(min)));
                var unusedMin = chart.getStyler().setYAxisMin(floor);
            }
            var unusedAxes = chart.getStyler().setYAxisLogarithmic(p.log()).setYAxisDecimalPattern(p.pattern());
            var unusedLabels = chart.getStyler().setLabelsVisible(true).setLabelsRotation(90)
                    .setLabelsFontColorAutomaticEnabled(false).setLabelsFontColor(Color.BLACK);
            for (Tunnel t : measured) {
                List<Double> y = new ArrayList<>();
                boolean any = false;
                for (Metric m : metrics) {
                    OptionalDouble v = s.value(t, m);
                    y.add(v.isPresent() && (!p.log() || v.getAsDouble() > 0) ? v.getAsDouble() : floor);
                    any |= v.isPresent();
                }
                if (any) {
                    CategorySeries series = chart.addSeries(t.label(), categories, y);
                    var unusedSeries = series.setFillColor(color(t));
                }
            }
            if (!chart.getSeriesCollection().isEmpty()) {
                charts.add(chart);
            }
        }
        return charts;
    }

    /** The panels, two per row, under a header line with {@code heading}. */
    public static void write(Summary s, List<Tunnel> measured, String heading, Path png) throws IOException {
        List<CategoryChart> charts = charts(s, measured);
        if (charts.isEmpty()) {
            throw new IOException("no figures to draw");
        }
        int cols = charts.size() == 1 ? 1 : 2;
        int rows = (charts.size() + cols - 1) / cols;
        // drawn into one image here: xchart's own grid needs every cell filled
        BufferedImage image = new BufferedImage(cols * WIDTH, HEADER + rows * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
            g.drawString(heading, 12, HEADER - 13);
            for (int i = 0; i < charts.size(); i++) {
                boolean drawn = g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)),
                        (i % cols) * WIDTH, HEADER + (i / cols) * HEIGHT, null);
                if (!drawn) {
                    throw new IOException("chart " + i + " was not drawn");
                }
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer");
        }
    }
}
