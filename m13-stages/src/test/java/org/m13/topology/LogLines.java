package org.m13.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The lines logged about one thread, as "LEVEL message", read back from the file the test
 * Log4j configuration (log4j2-test.xml) writes every line to.
 */
final class LogLines {
    private static final Path FILE = Path.of("target", "log4j-test.log");

    private LogLines() {
    }

    /** Lines that name {@code thread} ("thread m13-rx-0 ..."); each test uses its own thread names. */
    static List<String> about(String thread) {
        String token = "thread " + thread + " ";
        try {
            return Files.exists(FILE) ? Files.readAllLines(FILE).stream().filter(l -> l.contains(token)).toList()
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
