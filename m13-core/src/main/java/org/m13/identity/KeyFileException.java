package org.m13.identity;

import java.nio.file.Path;

/**
 * A key file that cannot be used, with the file and what is wrong with it. The message
 * always starts with the file name so that a CLI can print it as it is.
 */
public final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the file: a closed vocabulary for callers and tests. */
    public enum Problem {
        MISSING,
        UNREADABLE,
        WRONG_SIZE,
        BAD_ENCODING,
        WORLD_ACCESSIBLE,
        ALREADY_EXISTS,
        WRITE_FAILED
    }

    private final transient Path file;
    private final Problem problem;

    KeyFileException(Path file, Problem problem, String detail, Throwable cause) {
        super("private key file " + file + ": " + detail, cause);
        this.file = file;
        this.problem = problem;
    }

    KeyFileException(Path file, Problem problem, String detail) {
        this(file, problem, detail, null);
    }

    public Path file() {
        return file;
    }

    public Problem problem() {
        return problem;
    }
}
