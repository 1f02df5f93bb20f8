package org.m13.host;

import java.util.List;
import java.util.Optional;

/**
 * What host set-up does to the operating system: run a command, read and write a
 * sysctl. {@link #system()} is the real host; tests record the commands, or prefix them
 * with {@code ip netns exec}.
 */
public interface HostShell {
    /** A finished command: its exit code, stdout and stderr. */
    record Result(int exit, String stdout, String stderr) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /**
     * Runs {@code argv} (no shell) to completion and returns its result whatever its
     * exit code; throws only when it cannot start or does not finish within the timeout.
     */
    Result run(List<String> argv) throws HostSetupException;

    /** The sysctl's value (stripped), or empty when this kernel has no such key. */
    Optional<String> readSysctl(String key) throws HostSetupException;

    void writeSysctl(String key, String value) throws HostSetupException;

    /** This host: commands through {@link ProcessBuilder}, sysctls in /proc/sys. */
    static HostShell system() {
        return SystemShell.INSTANCE;
    }
}
