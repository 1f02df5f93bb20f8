package org.m13.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.m13.identity.Identity;
import org.m13.identity.KeyFileException;
import org.m13.identity.KeyFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code m13 keygen} and {@code m13 pubkey}. Output is for scripts: the public key's
 * base64 alone on stdout; everything said to the operator goes to stderr. Exit codes:
 * 0 done, 1 a key file problem (the message names the file), 2 a usage error.
 */
@Command(name = "m13", mixinStandardHelpOptions = true, version = "m13 0.1",
        description = "M13 post-quantum VPN: key management, host checks and set-up undo, the link emulator and the "
                + "monitor.",
        subcommands = {M13Cli.Keygen.class, M13Cli.Pubkey.class, M13Cli.DoctorCommand.class, LinkemCommand.class,
            MonitorCommand.class, HostUndoCommand.class})
public final class M13Cli implements Callable<Integer> {
    static final int EXIT_KEY_FILE = 1;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it directly. */
    public static CommandLine commandLine() {
        return new CommandLine(new M13Cli());
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Creates a new ML-DSA-87 identity: writes the private key to FILE (mode 0600,",
                "never overwriting) and prints the public key (base64) for the peer's config."})
    static final class Keygen implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "private key file to create")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (Identity identity = KeyFiles.generateAndWrite(file, new SecureRandom())) {
                out.println(KeyFiles.encodeBase64(KeyFiles.derivePublic(identity)));
                out.flush();
                err.println("m13: wrote private key " + file + " (mode 0600); key id " + identity.keyId().hex());
                err.flush();
                return CommandLine.ExitCode.OK;
            } catch (KeyFileException e) {
                err.println("m13: " + e.getMessage());
                err.flush();
                return EXIT_KEY_FILE;
            }
        }
    }

    @Command(name = "pubkey", mixinStandardHelpOptions = true,
            description = "Prints the public key (base64) of the private key in FILE.")
    static final class Pubkey implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "private key file")
        Path file;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (Identity identity = KeyFiles.readPrivate(file)) {
                PrintWriter out = spec.commandLine().getOut();
                out.println(KeyFiles.encodeBase64(KeyFiles.derivePublic(identity)));
                out.flush();
                return CommandLine.ExitCode.OK;
            } catch (KeyFileException e) {
                err.println("m13: " + e.getMessage());
                err.flush();
                return EXIT_KEY_FILE;
            }
        }
    }

    @Command(name = "doctor", mixinStandardHelpOptions = true,
            description = {"Checks this host for what the hub and node need (kernel and its config, io_uring,",
                "capabilities, memlock, optmem, hugepages, TUN, ip/iptables, the native library and,",
                "with --interface, NIC queues, MTU and offloads) and says what to fix.",
                "Exit status 1 when a blocking problem is found."})
    static final class DoctorCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role", paramLabel = "hub|node|both", defaultValue = "both",
                description = "which daemon this host runs (default: ${DEFAULT-VALUE})")
        String role;

        @Option(names = "--interface", paramLabel = "IF", description = "uplink interface to check (hub: the XDP one)")
        String iface;

        Doctor.Host host = Doctor.realHost();

        @Override
        public Integer call() {
            Doctor.Role r;
            try {
                r = Doctor.Role.valueOf(role.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--role must be hub, node or both, not '" + role + "'", e);
            }
            List<Doctor.Finding> findings = new Doctor(host, r, iface).run();
            PrintWriter out = spec.commandLine().getOut();
            int fails = 0;
            int warns = 0;
            for (Doctor.Finding f : findings) {
                out.printf("  %-4s  %-22s %s%n", f.level().name().toLowerCase(Locale.ROOT), f.check(), f.detail());
                if (!f.fix().isEmpty() && f.level() != Doctor.Level.OK) {
                    out.printf("        %-22s fix: %s%n", "", f.fix());
                }
                fails += f.level() == Doctor.Level.FAIL ? 1 : 0;
                warns += f.level() == Doctor.Level.WARN ? 1 : 0;
            }
            out.printf("m13 doctor: %d blocking problem%s, %d warning%s%n", fails, fails == 1 ? "" : "s", warns,
                    warns == 1 ? "" : "s");
            out.flush();
            return fails > 0 ? 1 : 0;
        }
    }
}
