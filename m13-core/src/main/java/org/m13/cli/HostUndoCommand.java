package org.m13.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.m13.host.HostJournal;
import org.m13.host.HostSetup;
import org.m13.host.HostSetupException;
import org.m13.host.HostShell;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code m13 host-undo hub|node}: undoes the host set-up a stopped or crashed daemon
 * left recorded in its journal (docs/HOST.md) and removes the journal. The systemd
 * units run it as ExecStopPost. Exit 0 when done or when there was nothing to undo, 1
 * when the journal belongs to a daemon that still runs or cannot be read.
 */
@Command(name = "host-undo", mixinStandardHelpOptions = true,
        description = {"Undoes the host set-up (addresses, routes, iptables rules, sysctls) that a stopped",
            "or crashed hub or node left recorded in <journal-dir>/<role>.journal, in reverse order,",
            "and removes the journal. Refuses while the daemon that wrote it still runs."})
final class HostUndoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ROLE", description = "hub or node (the journal's name)")
    String role;

    @Option(names = "--journal-dir", paramLabel = "DIR",
            description = "where the daemons keep their journals (default: ${DEFAULT-VALUE})")
    Path directory = HostJournal.DEFAULT_DIRECTORY;

    @Override
    public Integer call() {
        Path file;
        try {
            file = HostJournal.file(directory, role);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(file)) {
            err.println("m13: nothing to undo: no " + file);
            err.flush();
            return CommandLine.ExitCode.OK;
        }
        try {
            int steps = HostSetup.recover(directory, role, HostShell.system());
            err.println("m13: undid the " + role + " host set-up recorded in " + file + " (" + steps + " step"
                    + (steps == 1 ? "" : "s") + ")");
            err.flush();
            return CommandLine.ExitCode.OK;
        } catch (HostSetupException e) {
            err.println("m13: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
