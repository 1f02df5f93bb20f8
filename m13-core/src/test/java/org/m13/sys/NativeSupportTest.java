package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NativeSupportTest {
    @Test
    void reportsEveryFacilityOnItsOwnLine() {
        List<String> report = NativeSupport.report();
        report.forEach(System.out::println);
        assertEquals(6, report.size());
        assertTrue(report.get(0).startsWith("JNI library: available ("), report.get(0));
        assertTrue(report.get(1).startsWith("XDP steering object: available ("), report.get(1));
        assertTrue(report.get(4).startsWith("hugepages: ") && !report.get(4).startsWith("hugepages: ?"),
                report.get(4));
        assertTrue(report.get(5).matches("effective uid: \\d+ .*"), report.get(5));
    }
}
