package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m13.stage.TestFrames.NODE_MAC;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m13.telemetry.DropReason;
import org.m13.wire.Flags;
import org.m13.wire.M13Header;
import org.m13.wire.Wire;

class ClassifyTest {
    /** The seed's classify order, highest priority first, with the flag that selects each. */
    private static final int[] PRIORITY_FLAGS = {
        Flags.FIN, Flags.FEEDBACK, Flags.FRAGMENT, Flags.HANDSHAKE, Flags.CONTROL, Flags.TUNNEL, Flags.FEC,
    };
    private static final Disposition[] PRIORITY = {
        Disposition.FIN, Disposition.FEEDBACK, Disposition.FRAGMENT, Disposition.HANDSHAKE, Disposition.CONTROL,
        Disposition.TUNNEL, Disposition.FEC,
    };

    private final SlotPool pool = new SlotPool(1, 2048);
    private final Classify classify = new Classify(pool);
    private final int slot = pool.alloc();

    /**
     * Every one of the 256 flag bytes: the disposition is the highest-priority flag that is
     * set, no flag of higher priority is set, and with no routing flag it is REGISTRATION.
     */
    @Test
    void everyFlagCombinationFollowsThePriority() {
        Map<Disposition, Integer> seen = new EnumMap<>(Disposition.class);
        for (int flags = 0; flags < 256; flags++) {
            Disposition d = Classify.dispositionOf(flags);
            int rank = -1;
            for (int i = 0; i < PRIORITY.length; i++) {
                if (PRIORITY[i] == d) {
                    rank = i;
                }
            }
            if (rank < 0) {
                assertEquals(Disposition.REGISTRATION, d, hex(flags));
                for (int flag : PRIORITY_FLAGS) {
                    assertEquals(0, flags & flag, hex(flags) + " has a routing flag yet is " + d);
                }
            } else {
                assertTrue((flags & PRIORITY_FLAGS[rank]) != 0, hex(flags) + " is " + d + " without its flag");
                for (int higher = 0; higher < rank; higher++) {
                    assertEquals(0, flags & PRIORITY_FLAGS[higher],
                            hex(flags) + " is " + d + " though " + PRIORITY[higher] + " outranks it");
                }
            }
            seen.merge(d, 1, Integer::sum);
        }
        // Each disposition claims exactly the combinations whose highest flag is its own:
        // FIN 128, FEEDBACK 64, ..., FEC 2, and REGISTRATION the 2 with neither (0x00, 0x01).
        int expected = 128;
        for (Disposition d : PRIORITY) {
            assertEquals(expected, seen.get(d), d.name());
            expected /= 2;
        }
        assertEquals(2, seen.get(Disposition.REGISTRATION));
    }

    @Test
    void pinnedExamples() {
        assertEquals(Disposition.FRAGMENT, Classify.dispositionOf(Flags.CONTROL | Flags.HANDSHAKE | Flags.FRAGMENT));
        assertEquals(Disposition.HANDSHAKE, Classify.dispositionOf(Flags.CONTROL | Flags.HANDSHAKE));
        assertEquals(Disposition.CONTROL, Classify.dispositionOf(Flags.CONTROL | Flags.TUNNEL));
        assertEquals(Disposition.TUNNEL, Classify.dispositionOf(Flags.TUNNEL | Flags.FEC));
        assertEquals(Disposition.FIN, Classify.dispositionOf(Flags.CONTROL | Flags.FIN));
        assertEquals(Disposition.FEEDBACK, Classify.dispositionOf(Flags.FEEDBACK | Flags.FRAGMENT));
        assertEquals(Disposition.FIN, Classify.dispositionOf(0xFF));
        assertEquals(Disposition.REGISTRATION, Classify.dispositionOf(0));
    }

    /** The stage reads the flags from the decrypted frame: every combination, from a known peer. */
    @Test
    void stageSetsTheDispositionOfEveryAuthenticatedFrame() {
        for (int flags = 0; flags < 256; flags += 2) { // bit 0 is refused by decrypt's inner check
            // A frame as decrypt leaves it: crypto byte AES-256-GCM, flags decrypted in place.
            int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, flags, flags, 8);
            pool.buffer().put(TestFrames.frameIndex(pool, slot, 0) + Wire.ETH_HEADER_BYTES + M13Header.CRYPTO_OFFSET,
                    (byte) Wire.CRYPTO_AES_256_GCM);
            FrameEvent e = new FrameEvent().received(slot, 0, length, 0).peer(0);
            classify.onEvent(e);
            assertEquals(DropReason.NONE, e.drop(), hex(flags));
            assertEquals(Classify.dispositionOf(flags), e.disposition(), hex(flags));
        }
        assertEquals(64, classify.classified(Disposition.FIN));
        assertEquals(1, classify.classified(Disposition.REGISTRATION));
        assertEquals(128, classify.events());
    }

    /** Cleartext only where the protocol sends it: registration, echo, handshake (whole or fragmented). */
    @Test
    void cleartextIsRefusedWhereItWouldLetAnyoneInject() {
        int allowed = 0;
        for (int flags = 0; flags < 256; flags += 2) {
            Disposition d = Classify.dispositionOf(flags);
            boolean expect = d == Disposition.REGISTRATION || d == Disposition.CONTROL || d == Disposition.HANDSHAKE
                    || (d == Disposition.FRAGMENT && (flags & Flags.HANDSHAKE) != 0);
            assertEquals(expect, Classify.cleartextAllowed(flags), hex(flags));
            int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, flags, 0);
            FrameEvent e = new FrameEvent().received(slot, 0, length, 0).peer(0);
            classify.onEvent(e);
            assertEquals(expect ? DropReason.NONE : DropReason.CLEARTEXT_REFUSED, e.drop(), hex(flags));
            allowed += expect ? 1 : 0;
        }
        assertEquals(classify.events() - allowed, classify.drops(DropReason.CLEARTEXT_REFUSED));
        assertTrue(!Classify.cleartextAllowed(Flags.TUNNEL));
        assertTrue(!Classify.cleartextAllowed(Flags.FIN | Flags.CONTROL));
        assertTrue(!Classify.cleartextAllowed(Flags.FRAGMENT | Flags.TUNNEL), "a jumbo tunnel fragment");
        assertTrue(Classify.cleartextAllowed(Flags.CONTROL | Flags.HANDSHAKE | Flags.FRAGMENT));
    }

    @Test
    void anUnknownPeerMayOnlyRegister() {
        int length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, 0, 0);
        FrameEvent registration = new FrameEvent().received(slot, 0, length, 0);
        classify.onEvent(registration);
        assertEquals(DropReason.NONE, registration.drop());
        assertEquals(Disposition.REGISTRATION, registration.disposition());

        length = TestFrames.cleartext(pool, slot, 0, NODE_MAC, 0, Flags.CONTROL | Flags.HANDSHAKE, 0);
        FrameEvent hello = new FrameEvent().received(slot, 0, length, 0);
        classify.onEvent(hello);
        assertEquals(DropReason.UNKNOWN_PEER, hello.drop());
        assertEquals(1, classify.drops(DropReason.UNKNOWN_PEER));
    }

    private static String hex(int flags) {
        return String.format("flags 0x%02x", flags);
    }
}
