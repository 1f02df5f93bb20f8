package org.m13.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option handling of {@code m13 linkem} that needs no sockets (the root run is in LinkemRootTest). */
class LinkemCommandTest {
    @Test
    void helpListsTheSymmetricAndPerDirectionOptions() {
        CliRun help = CliRun.of("linkem", "--help");
        assertEquals(0, help.exit());
        for (String option : new String[] {"--netns", "--a", "--b", "--delay-ms", "--jitter-ms", "--loss", "--ge",
            "--rate-mbit", "--queue", "--seed", "--a-to-b-loss", "--b-to-a-delay-ms", "--[no-]reorder"}) {
            assertTrue(help.out().contains(option), option + " missing from:\n" + help.out());
        }
    }

    @Test
    void badValuesAreUsageErrorsNamingTheProblem() {
        CliRun loss = CliRun.of("linkem", "--a", "x", "--b", "y", "--loss", "2");
        assertEquals(CommandLine.ExitCode.USAGE, loss.exit());
        assertTrue(loss.err().contains("probability out of [0, 1]: '2'"), loss.err());
        CliRun ge = CliRun.of("linkem", "--a", "x", "--b", "y", "--b-to-a-ge", "0.1,0.2,0.3");
        assertEquals(CommandLine.ExitCode.USAGE, ge.exit());
        assertTrue(ge.err().contains("--ge takes p,r or p,r,h,k"), ge.err());
        CliRun missing = CliRun.of("linkem", "--a", "x");
        assertEquals(CommandLine.ExitCode.USAGE, missing.exit());
        assertTrue(missing.err().contains("Missing required option: '--b=IF'"), missing.err());
        CliRun negative = CliRun.of("linkem", "--a", "x", "--b", "y", "--a-to-b-delay-ms", "-1");
        assertEquals(CommandLine.ExitCode.USAGE, negative.exit());
    }
}
