package org.m13.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class AllowListTest {
    private static PublicIdentity fresh() {
        try (Identity id = Identity.generate(new SecureRandom())) {
            return id.publicIdentity();
        }
    }

    @Test
    void looksUpByKeyIdAndKeepsOrder() {
        PublicIdentity a = fresh();
        PublicIdentity b = fresh();
        AllowList list = AllowList.builder().add("alpha", a).add("bravo", b).build();
        assertEquals("alpha", list.lookup(a.keyId()).name());
        assertEquals(b, list.lookup(b.keyId()).publicIdentity());
        assertNull(list.lookup(fresh().keyId()));
        assertEquals(2, list.size());
        assertEquals("bravo", list.entries().get(1).name());
    }

    @Test
    void refusesDuplicateNamesKeysAndEmptyNames() {
        PublicIdentity a = fresh();
        assertThrows(IllegalArgumentException.class, () -> AllowList.builder().add("x", a).add("x", fresh()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AllowList.builder().add("x", a).add("y", a).build());
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("'y'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AllowList.builder().add(" ", a));
    }
}
