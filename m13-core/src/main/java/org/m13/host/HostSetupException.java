package org.m13.host;

import java.util.List;

/**
 * A host set-up step that cannot be done: a command that failed (the message names it,
 * its exit code and its stderr), a command that could not run, or a journal owned by
 * another live daemon. What was applied before stays recorded, so
 * {@link HostSetup#close()} still undoes it.
 */
public final class HostSetupException extends Exception {
    private static final long serialVersionUID = 1L;

    public HostSetupException(String message) {
        super(message);
    }

    public HostSetupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The failure of {@code argv} with its exit code and stderr. */
    static HostSetupException failed(List<String> argv, HostShell.Result result) {
        String stderr = result.stderr().strip();
        return new HostSetupException("`" + String.join(" ", argv) + "` exited " + result.exit()
                + (stderr.isEmpty() ? "" : ": " + stderr));
    }
}
