package org.m13.bench.e2e;

import java.nio.file.Path;

/** A raw-data file that cannot be read as the harness writes it; names file and line. */
public final class RawDataException extends Exception {
    private static final long serialVersionUID = 1L;

    public RawDataException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    }
}
