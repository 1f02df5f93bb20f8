package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AeadStatus;
import org.m13.crypto.ReplayWindow;
import org.m13.telemetry.DropReason;
import org.m13.wire.FrameStatus;

class DropTest {
    @Test
    void idsAreUniqueAndRoundTrip() {
        for (DropReason d : DropReason.values()) {
            assertEquals(d, DropReason.byId(d.id()));
            assertTrue(d.id() < DropReason.ID_LIMIT);
            assertTrue(!d.label().isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> DropReason.byId(DropReason.ID_LIMIT));
        assertThrows(IllegalArgumentException.class, () -> DropReason.byId(19));
    }

    /** Telemetry names counters by id: these must never change. */
    @Test
    void idsAreStable() {
        assertEquals(0, DropReason.NONE.id());
        assertEquals(1, DropReason.SLOT_RANGE.id());
        assertEquals(7, DropReason.UNKNOWN_PEER.id());
        assertEquals(20, DropReason.NO_SESSION.id());
        assertEquals(21, DropReason.REPLAY_DUPLICATE.id());
        assertEquals(27, DropReason.AUTH_FAILED.id());
        assertEquals(33, DropReason.NONZERO_PADDING.id());
        assertEquals(40, DropReason.CLEARTEXT_REFUSED.id());
        assertEquals(50, DropReason.NO_DESTINATION.id());
        assertEquals(60, DropReason.STAGE_FAULT.id());
        assertEquals(70, DropReason.NO_SEND_KEY.id());
        assertEquals(71, DropReason.SEQ_EXHAUSTED.id());
        assertEquals(80, DropReason.LINK_FULL.id());
        assertEquals(90, DropReason.CRITICAL_QUEUE_FULL.id());
        assertEquals(91, DropReason.BULK_QUEUE_FULL.id());
        assertEquals(92, DropReason.SCHEDULER_DISCARDED.id());
    }

    @Test
    void everyCoreStatusMapsToItsOwnReason() {
        Set<DropReason> fromFrame = EnumSet.noneOf(DropReason.class);
        for (FrameStatus s : FrameStatus.values()) {
            DropReason d = DropReason.ofFrameStatus(s.code());
            assertEquals(s == FrameStatus.OK, d == DropReason.NONE, s.name());
            assertTrue(fromFrame.add(d), s + " shares a reason");
        }
        Set<DropReason> fromAead = EnumSet.noneOf(DropReason.class);
        for (AeadStatus s : AeadStatus.values()) {
            DropReason d = DropReason.ofAead(s.code());
            assertEquals(s == AeadStatus.OK, d == DropReason.NONE, s.name());
            assertTrue(fromAead.add(d), s + " shares a reason");
        }
        assertEquals(DropReason.NONE, DropReason.ofReplay(ReplayWindow.Status.ACCEPT));
        assertEquals(DropReason.REPLAY_DUPLICATE, DropReason.ofReplay(ReplayWindow.Status.DUPLICATE));
        assertEquals(DropReason.REPLAY_TOO_OLD, DropReason.ofReplay(ReplayWindow.Status.TOO_OLD));
        assertNotEquals(DropReason.BAD_LENGTH, DropReason.ofAead(AeadStatus.BAD_LENGTH.code()), "AEAD and header length differ");
    }

    @Test
    void countersCountByReason() {
        DropCounters c = new DropCounters();
        c.count(DropReason.AUTH_FAILED);
        c.count(DropReason.AUTH_FAILED);
        c.count(DropReason.BAD_MAGIC);
        assertEquals(2, c.get(DropReason.AUTH_FAILED));
        assertEquals(1, c.get(DropReason.BAD_MAGIC));
        assertEquals(0, c.get(DropReason.TOO_SHORT));
        assertEquals(3, c.total());
        assertEquals("{bad_magic=1, auth_failed=2}", c.toString());
    }

    @Test
    void eventKeepsTheFirstDropAndResetsForTheNextFrame() {
        FrameEvent e = new FrameEvent().received(3, 42, 100, 7);
        assertEquals(DropReason.NONE, e.drop());
        e.peer(2).disposition(Disposition.TUNNEL).drop(DropReason.AUTH_FAILED).drop(DropReason.BAD_MAGIC);
        assertEquals(DropReason.AUTH_FAILED, e.drop());
        assertTrue(e.isDropped());
        e.received(4, 0, 62, 8);
        assertEquals(4, e.slot());
        assertEquals(0, e.offset());
        assertEquals(62, e.length());
        assertEquals(8, e.rxNanos());
        assertEquals(FrameEvent.NO_PEER, e.peer());
        assertEquals(Disposition.PENDING, e.disposition());
        assertEquals(DropReason.NONE, e.drop());
    }
}
