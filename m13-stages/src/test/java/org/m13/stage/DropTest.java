package org.m13.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.m13.crypto.AeadStatus;
import org.m13.crypto.ReplayWindow;
import org.m13.wire.FrameStatus;

class DropTest {
    /** Telemetry (m13-core) exports drops by id: every stage reason has its twin there. */
    @Test
    void everyReasonIsExportedByTelemetryWithTheSameIdNameAndLabel() {
        for (Drop d : Drop.values()) {
            org.m13.telemetry.DropReason exported = org.m13.telemetry.DropReason.byIdOrNull(d.id());
            assertNotNull(exported, d + " (id " + d.id() + ") is not in org.m13.telemetry.DropReason");
            assertEquals(d.name(), exported.name(), "id " + d.id());
            assertEquals(d.label(), exported.label(), "id " + d.id());
        }
    }

    @Test
    void idsAreUniqueAndRoundTrip() {
        for (Drop d : Drop.values()) {
            assertEquals(d, Drop.byId(d.id()));
            assertTrue(d.id() < Drop.ID_LIMIT);
            assertTrue(!d.label().isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> Drop.byId(Drop.ID_LIMIT));
        assertThrows(IllegalArgumentException.class, () -> Drop.byId(19));
    }

    /** Telemetry names counters by id: these must never change. */
    @Test
    void idsAreStable() {
        assertEquals(0, Drop.NONE.id());
        assertEquals(1, Drop.SLOT_RANGE.id());
        assertEquals(7, Drop.UNKNOWN_PEER.id());
        assertEquals(20, Drop.NO_SESSION.id());
        assertEquals(21, Drop.REPLAY_DUPLICATE.id());
        assertEquals(27, Drop.AUTH_FAILED.id());
        assertEquals(33, Drop.NONZERO_PADDING.id());
        assertEquals(40, Drop.CLEARTEXT_REFUSED.id());
        assertEquals(50, Drop.NO_DESTINATION.id());
        assertEquals(60, Drop.STAGE_FAULT.id());
        assertEquals(70, Drop.NO_SEND_KEY.id());
        assertEquals(71, Drop.SEQ_EXHAUSTED.id());
        assertEquals(80, Drop.LINK_FULL.id());
        assertEquals(90, Drop.CRITICAL_QUEUE_FULL.id());
        assertEquals(91, Drop.BULK_QUEUE_FULL.id());
        assertEquals(92, Drop.SCHEDULER_DISCARDED.id());
    }

    @Test
    void everyCoreStatusMapsToItsOwnReason() {
        Set<Drop> fromFrame = EnumSet.noneOf(Drop.class);
        for (FrameStatus s : FrameStatus.values()) {
            Drop d = Drop.ofFrameStatus(s.code());
            assertEquals(s == FrameStatus.OK, d == Drop.NONE, s.name());
            assertTrue(fromFrame.add(d), s + " shares a reason");
        }
        Set<Drop> fromAead = EnumSet.noneOf(Drop.class);
        for (AeadStatus s : AeadStatus.values()) {
            Drop d = Drop.ofAead(s.code());
            assertEquals(s == AeadStatus.OK, d == Drop.NONE, s.name());
            assertTrue(fromAead.add(d), s + " shares a reason");
        }
        assertEquals(Drop.NONE, Drop.ofReplay(ReplayWindow.Status.ACCEPT));
        assertEquals(Drop.REPLAY_DUPLICATE, Drop.ofReplay(ReplayWindow.Status.DUPLICATE));
        assertEquals(Drop.REPLAY_TOO_OLD, Drop.ofReplay(ReplayWindow.Status.TOO_OLD));
        assertNotEquals(Drop.BAD_LENGTH, Drop.ofAead(AeadStatus.BAD_LENGTH.code()), "AEAD and header length differ");
    }

    @Test
    void countersCountByReason() {
        DropCounters c = new DropCounters();
        c.count(Drop.AUTH_FAILED);
        c.count(Drop.AUTH_FAILED);
        c.count(Drop.BAD_MAGIC);
        assertEquals(2, c.get(Drop.AUTH_FAILED));
        assertEquals(1, c.get(Drop.BAD_MAGIC));
        assertEquals(0, c.get(Drop.TOO_SHORT));
        assertEquals(3, c.total());
        assertEquals("{bad_magic=1, auth_failed=2}", c.toString());
    }

    @Test
    void eventKeepsTheFirstDropAndResetsForTheNextFrame() {
        FrameEvent e = new FrameEvent().received(3, 42, 100, 7);
        assertEquals(Drop.NONE, e.drop());
        e.peer(2).disposition(Disposition.TUNNEL).drop(Drop.AUTH_FAILED).drop(Drop.BAD_MAGIC);
        assertEquals(Drop.AUTH_FAILED, e.drop());
        assertTrue(e.isDropped());
        e.received(4, 0, 62, 8);
        assertEquals(4, e.slot());
        assertEquals(0, e.offset());
        assertEquals(62, e.length());
        assertEquals(8, e.rxNanos());
        assertEquals(FrameEvent.NO_PEER, e.peer());
        assertEquals(Disposition.PENDING, e.disposition());
        assertEquals(Drop.NONE, e.drop());
    }
}
