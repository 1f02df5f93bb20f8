package org.m13.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Probing, errno text and namespace entry; needs no privileges. */
class NativeTest {
    @Test
    void libraryIsLoadedWithTheExpectedAbi() {
        assertEquals(null, Native.unavailabilityCause());
    }

    @Test
    void errnoTextNamesTheErrorAndItsNumber() {
        assertEquals("No such device (errno 19)", Native.errnoText(19));
        assertEquals(7, Native.check("anything", 7));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Native.check("sendto", -11));
        assertEquals("sendto: Resource temporarily unavailable (errno 11)", e.getMessage());
    }

    @Test
    void enteringAMissingNamespaceThrowsWithTheErrnoText() throws Exception {
        Thread current = Thread.currentThread();
        long before = Netns.currentId();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Netns.enter("m13t-does-not-exist"));
        assertEquals("open(/var/run/netns/m13t-does-not-exist): No such file or directory (errno 2)", e.getMessage());
        assertEquals(before, Netns.currentId());
        assertThrows(IllegalArgumentException.class, () -> Netns.enter("../etc"));
        assertNotEquals(null, current);
    }
}
