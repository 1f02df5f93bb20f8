package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option handling of {@code m13 linkem} that needs no sockets (the root run is in LinkemRootTest). */
class LinkemCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = M13Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheSymmetricAndPerDirectionOptions() {
        Run help = run("linkem", "--help");
        assertEquals(0, help.exit());
        for (String option : new String[] {"--netns", "--a", "--b", "--delay-ms", "--jitter-ms", "--loss", "--ge",
            "--rate-mbit", "--queue", "--seed", "--a-to-b-loss", "--b-to-a-delay-ms", "--[no-]reorder"}) {
            assertTrue(help.out().contains(option), option + " missing from:\n" + help.out());
        }
    }

    @Test
    void badValuesAreUsageErrorsNamingTheProblem() {
        Run loss = run("linkem", "--a", "x", "--b", "y", "--loss", "2");
        assertEquals(CommandLine.ExitCode.USAGE, loss.exit());
        assertTrue(loss.err().contains("probability out of [0, 1]: '2'"), loss.err());
        Run ge = run("linkem", "--a", "x", "--b", "y", "--b-to-a-ge", "0.1,0.2,0.3");
        assertEquals(CommandLine.ExitCode.USAGE, ge.exit());
        assertTrue(ge.err().contains("--ge takes p,r or p,r,h,k"), ge.err());
        Run missing = run("linkem", "--a", "x");
        assertEquals(CommandLine.ExitCode.USAGE, missing.exit());
        assertTrue(missing.err().contains("Missing required option: '--b=IF'"), missing.err());
        Run negative = run("linkem", "--a", "x", "--b", "y", "--a-to-b-delay-ms", "-1");
        assertEquals(CommandLine.ExitCode.USAGE, negative.exit());
    }
}
