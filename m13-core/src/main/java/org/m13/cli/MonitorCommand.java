package org.m13.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.m13.telemetry.MonitorView;
import org.m13.telemetry.PrometheusEndpoint;
import org.m13.telemetry.PrometheusText;
import org.m13.telemetry.TelemetryException;
import org.m13.telemetry.TelemetryReader;
import org.m13.telemetry.TelemetrySnapshot;
import org.m13.telemetry.TelemetryWriter;
import org.m13.telemetry.WriterStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code m13 monitor}: redraws the telemetry table once a second from the daemon's
 * /dev/shm file (docs/TELEMETRY.md), and with {@code --prometheus PORT} serves the same
 * counters to Prometheus. Exit 0, or 1 when the last frame found no file or no live writer.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows the running daemon's counters per stage and per peer, redrawn once a second,",
            "from its shared-memory telemetry file; says so when the file is missing or the",
            "writer is dead. --prometheus serves the same counters at http://127.0.0.1:PORT/metrics."})
final class MonitorCommand implements Callable<Integer> {
    /** Sleeps between frames; tests pass one that only records. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--file", paramLabel = "PATH", description = "telemetry file (default: ${DEFAULT-VALUE})")
    Path file = TelemetryWriter.DEFAULT_PATH;

    @Option(names = "--interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "time between frames (default: ${DEFAULT-VALUE})")
    long intervalMs;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
            description = "draw N frames and exit (default: until interrupted)")
    long count;

    @Option(names = "--no-clear", description = "append frames instead of clearing the terminal")
    boolean noClear;

    @Option(names = "--quiet", description = "draw nothing (with --prometheus: only serve)")
    boolean quiet;

    @Option(names = "--prometheus", paramLabel = "PORT",
            description = "also serve the counters in Prometheus text format on PORT (opt-in)")
    Integer prometheusPort;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "address for --prometheus (default: ${DEFAULT-VALUE}; exposing it is your choice)")
    String bind;

    Sleeper sleeper = Thread::sleep;
    LongSupplier nanoClock = System::nanoTime;
    LongSupplier wallClock = System::currentTimeMillis;

    @Override
    public Integer call() throws IOException {
        if (intervalMs < 1 || count < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--interval-ms must be >= 1 and --count >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrometheusEndpoint endpoint = null;
        if (prometheusPort != null) {
            endpoint = PrometheusEndpoint.start(new InetSocketAddress(InetAddress.getByName(bind), prometheusPort),
                    () -> PrometheusText.scrape(file));
            spec.commandLine().getErr().println("m13 monitor: serving Prometheus metrics at http://"
                    + endpoint.address().getHostString() + ":" + endpoint.port() + PrometheusEndpoint.PATH);
            spec.commandLine().getErr().flush();
        }
        boolean clear = !noClear && terminal();
        TelemetrySnapshot previous = null;
        boolean healthy = false;
        try {
            for (long frame = 0; count == 0 || frame < count; frame++) {
                if (frame > 0) {
                    sleeper.sleep(intervalMs);
                }
                Frame f = frame(previous);
                previous = f.snapshot;
                healthy = f.healthy;
                if (!quiet) {
                    out.print((clear ? "\033[H\033[2J" : frame > 0 ? "\n" : "") + f.text);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (endpoint != null) {
                endpoint.close();
            }
        }
        return healthy ? CommandLine.ExitCode.OK : 1;
    }

    /** Whether stdout is likely a terminal that understands the clear-screen escape. */
    private static boolean terminal() {
        String term = System.getenv("TERM");
        return term != null && !term.isEmpty() && !"dumb".equals(term);
    }

    private record Frame(String text, TelemetrySnapshot snapshot, boolean healthy) {
    }

    /** One frame: the file is mapped afresh each time, so a restarted daemon's new file is picked up. */
    private Frame frame(TelemetrySnapshot previous) {
        if (!Files.exists(file)) {
            return new Frame(MonitorView.missing(file), null, false);
        }
        try (TelemetryReader reader = TelemetryReader.open(file, nanoClock)) {
            TelemetrySnapshot s = reader.snapshot();
            WriterStatus status = s.writerStatus();
            return new Frame(MonitorView.render(file, previous, s, status, wallClock.getAsLong()), s,
                    status == WriterStatus.ALIVE);
        } catch (TelemetryException e) {
            return Files.exists(file) ? new Frame(MonitorView.unreadable(file, e.getMessage()), null, false)
                    : new Frame(MonitorView.missing(file), null, false);
        }
    }
}
