package org.m13.config;

import java.nio.file.Path;

/**
 * A configuration file that cannot be used. The message is what the operator reads:
 * {@code <file>:<line>: <key>: <what is wrong>} (the line when the parser knows it).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String key;
    private final int line;

    public ConfigException(Path file, int line, String key, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + problem);
        this.file = file;
        this.key = key;
        this.line = line;
    }

    public ConfigException(Path file, String key, String problem) {
        this(file, -1, key, problem);
    }

    public Path file() {
        return file;
    }

    /** Dotted path of the offending key ({@code nodes[1].public-key}), or empty for the whole file. */
    public String key() {
        return key == null ? "" : key;
    }

    /** 1-based line, or -1 when unknown. */
    public int line() {
        return line;
    }
}
