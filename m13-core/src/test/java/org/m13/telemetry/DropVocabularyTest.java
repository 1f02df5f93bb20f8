package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every drop reason m13-stages can count must be exportable: each constant of
 * {@code org.m13.stage.Drop} (read from its source, since m13-core cannot depend on
 * m13-stages) has the reason of the same id, name and label here. A guard until
 * m13-stages asserts the same against the classes.
 */
class DropVocabularyTest {
    private static final Path DROP_SOURCE = Path.of("../m13-stages/src/main/java/org/m13/stage/Drop.java");
    private static final Pattern CONSTANT = Pattern.compile("\\n    ([A-Z_]+)\\((\\d+), \"([^\"]*)\"\\)[,;]");

    @Test
    void everyStageDropReasonIsExported() throws IOException {
        assumeTrue(Files.exists(DROP_SOURCE), "m13-stages sources not beside m13-core");
        Matcher m = CONSTANT.matcher(Files.readString(DROP_SOURCE));
        int seen = 0;
        while (m.find()) {
            DropReason r = DropReason.byIdOrNull(Integer.parseInt(m.group(2)));
            assertNotNull(r, "Drop." + m.group(1) + " (id " + m.group(2) + ") has no DropReason");
            assertEquals(m.group(1), r.name(), "id " + m.group(2));
            assertEquals(m.group(3), r.label(), "label of " + m.group(1));
            seen++;
        }
        assertTrue(seen >= 30, "parsed " + seen + " Drop constants: has Drop.java's format changed?");
    }
}
