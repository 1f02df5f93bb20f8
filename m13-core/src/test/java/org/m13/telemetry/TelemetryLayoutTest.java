package org.m13.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Golden offsets: a change here breaks every reader of an older build; bump VERSION with it. */
class TelemetryLayoutTest {
    @Test
    void headerOffsets() {
        assertEquals(0, TelemetryLayout.MAGIC_OFFSET);
        assertEquals(8, TelemetryLayout.VERSION_OFFSET);
        assertEquals(12, TelemetryLayout.HEADER_SIZE_OFFSET);
        assertEquals(16, TelemetryLayout.PID_OFFSET);
        assertEquals(24, TelemetryLayout.START_MILLIS_OFFSET);
        assertEquals(32, TelemetryLayout.HEARTBEAT_OFFSET);
        assertEquals(40, TelemetryLayout.RECORD_COUNT_OFFSET);
        assertEquals(44, TelemetryLayout.RECORD_SIZE_OFFSET);
        assertEquals(48, TelemetryLayout.COUNTER_SLOTS_OFFSET);
        assertEquals(52, TelemetryLayout.DROP_SLOTS_OFFSET);
        assertEquals(56, TelemetryLayout.STATE_OFFSET);
        assertEquals(128, TelemetryLayout.HEADER_SIZE);
        assertEquals(1, TelemetryLayout.VERSION);
    }

    @Test
    void magicSpellsM13TelemInFileOrder() {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (TelemetryLayout.MAGIC >>> (8 * i));
        }
        assertEquals("M13TELEM", new String(bytes, StandardCharsets.US_ASCII));
    }

    @Test
    void recordOffsets() {
        assertEquals(0, TelemetryLayout.SEQUENCE_OFFSET);
        assertEquals(8, TelemetryLayout.KIND_OFFSET);
        assertEquals(12, TelemetryLayout.NAME_LENGTH_OFFSET);
        assertEquals(16, TelemetryLayout.NAME_OFFSET);
        assertEquals(48, TelemetryLayout.NAME_MAX);
        assertEquals(64, TelemetryLayout.COUNTERS_OFFSET);
        assertEquals(192, TelemetryLayout.DROPS_OFFSET);
        assertEquals(1216, TelemetryLayout.RECORD_SIZE);
        assertEquals(128 + 3 * 1216, TelemetryLayout.recordOffset(3));
        assertEquals(128 + 2 * 1216, TelemetryLayout.fileSize(2));
        assertEquals(64 + 8 * 5, TelemetryLayout.counterOffset(5));
        assertEquals(192 + 8 * 27, TelemetryLayout.dropOffset(27));
    }

    @Test
    void counterSlotsAreStable() {
        assertEquals(0, StageCounter.EVENTS.slot());
        assertEquals(1, StageCounter.BYTES.slot());
        assertEquals(2, StageCounter.BATCHES.slot());
        assertEquals(3, StageCounter.MAX_BATCH.slot());
        assertEquals(4, StageCounter.MAX_QUEUE_DEPTH.slot());
        assertEquals(5, StageCounter.MAX_DUTY_CYCLE_NANOS.slot());
        assertEquals(6, StageCounter.DROPS.slot());
        assertEquals(0, PeerCounter.RX_PACKETS.slot());
        assertEquals(5, PeerCounter.REPLAY_DROPS.slot());
        assertEquals(6, PeerCounter.AUTH_DROPS.slot());
        assertEquals(7, PeerCounter.HANDSHAKE_RETRANSMITS.slot());
        assertEquals(8, PeerCounter.LOST_PACKETS.slot());
        assertEquals(10, PeerCounter.RTT_NANOS.slot());
        assertEquals(11, PeerCounter.JITTER_NANOS.slot());
        assertDistinctInRange(StageCounter.values());
        assertDistinctInRange(PeerCounter.values());
    }

    private static void assertDistinctInRange(TelemetryCounter[] counters) {
        Set<Integer> slots = new HashSet<>();
        Set<String> metrics = new HashSet<>();
        for (TelemetryCounter c : counters) {
            assertTrue(c.slot() >= 0 && c.slot() < TelemetryLayout.COUNTER_SLOTS, c + " slot");
            assertTrue(slots.add(c.slot()), c + " slot used twice");
            assertTrue(metrics.add(c.metric()), c + " metric used twice");
            assertTrue(c.metric().matches("[a-z_]+"), c + " metric name");
        }
    }

    /** The ids m13-stages' Drop uses; telemetry indexes the drop area by them. */
    @Test
    void dropReasonIdsMatchTheStageVocabulary() {
        assertEquals(0, DropReason.NONE.id());
        assertEquals(1, DropReason.SLOT_RANGE.id());
        assertEquals(7, DropReason.UNKNOWN_PEER.id());
        assertEquals(21, DropReason.REPLAY_DUPLICATE.id());
        assertEquals(22, DropReason.REPLAY_TOO_OLD.id());
        assertEquals(27, DropReason.AUTH_FAILED.id());
        assertEquals(33, DropReason.NONZERO_PADDING.id());
        assertEquals(40, DropReason.CLEARTEXT_REFUSED.id());
        assertEquals(52, DropReason.DESTINATION_FULL.id());
        assertEquals(60, DropReason.STAGE_FAULT.id());
        assertEquals(71, DropReason.SEQ_EXHAUSTED.id());
        assertEquals(80, DropReason.LINK_FULL.id());
        assertEquals(90, DropReason.CRITICAL_QUEUE_FULL.id());
        assertEquals(91, DropReason.BULK_QUEUE_FULL.id());
        assertEquals(92, DropReason.SCHEDULER_DISCARDED.id());
        assertEquals(93, DropReason.ID_LIMIT);
        assertEquals(53, DropReason.INNER_SOURCE.id());
        assertEquals(55, DropReason.NOT_IP.id());
        assertEquals(56, DropReason.FEC_REFUSED.id());
        assertEquals(57, DropReason.BAD_FEEDBACK.id());
        assertEquals(38, DropReason.values().length);
        assertEquals("auth_failed", DropReason.AUTH_FAILED.metricLabel());
        assertEquals("id_99", DropReason.metricLabel(99));
        assertTrue(DropReason.isReplay(21) && DropReason.isReplay(22) && !DropReason.isReplay(27));
        assertTrue(DropReason.isAuth(27) && !DropReason.isAuth(21));
    }
}
