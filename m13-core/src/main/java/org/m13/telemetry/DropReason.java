package org.m13.telemetry;

import java.util.Locale;
import org.m13.crypto.AeadStatus;
import org.m13.crypto.ReplayWindow;
import org.m13.wire.FrameStatus;

/**
 * Why a stage dropped a frame: the one drop vocabulary, counted by the stages and
 * exported by the telemetry file (a record's drop area is indexed by {@link #id()}).
 * Ids are stable: add new reasons with new ids below {@link TelemetryLayout#DROP_SLOTS},
 * never renumber. Ids are grouped by the stage that drops: parse 1-19, decrypt 20-39,
 * classify 40-49, scatter and its sinks 50-59, the stage thread 60-69, seal 70-79,
 * link-tx 80-89, scheduler 90-99. {@link #NONE} (0) marks an event nobody dropped.
 */
public enum DropReason {
    NONE(0, "not dropped"),
    SLOT_RANGE(1, "frame does not lie within its slot"),
    TOO_SHORT(2, "shorter than ETH + M13 header"),
    BAD_ETHERTYPE(3, "EtherType is not 0x88B5"),
    BAD_MAGIC(4, "magic is not 0xD1"),
    BAD_VERSION(5, "unsupported version"),
    BAD_CRYPTO(6, "unknown crypto mode or reserved key-phase bits"),
    UNKNOWN_PEER(7, "no peer for the frame's source"),
    NO_SESSION(20, "no receive key for the peer and key phase"),
    REPLAY_DUPLICATE(21, "sequence number already seen"),
    REPLAY_TOO_OLD(22, "sequence number behind the replay window"),
    AEAD_BAD_LENGTH(23, "frame shorter than the M13 header (AEAD)"),
    NOT_ENCRYPTED(24, "crypto byte is not AES-256-GCM (AEAD)"),
    REFLECTED(25, "frame carries the receiver's own direction"),
    BAD_NONCE(26, "nonce direction or padding invalid"),
    AUTH_FAILED(27, "authentication tag mismatch"),
    SEQ_MISMATCH(28, "sequence in header differs from nonce"),
    KEY_CLOSED(29, "receive key already closed"),
    AEAD_INTERNAL(30, "OpenSSL internal failure"),
    RESERVED_FLAG(31, "reserved flag bit set"),
    BAD_LENGTH(32, "length field disagrees with frame size"),
    NONZERO_PADDING(33, "header padding not zero"),
    CLEARTEXT_REFUSED(40, "disposition needs an authenticated frame"),
    NO_DESTINATION(50, "no destination wired for the disposition"),
    FRAGMENT_REFUSED(51, "reassembly dropped the fragment (reason in its assembler's counters)"),
    DESTINATION_FULL(52, "destination has no room"),
    INNER_SOURCE(53, "inner source address is not the peer's tunnel address"),
    TUN_WRITE_FAILED(54, "the TUN device refused the packet"),
    NOT_IP(55, "tunnel body is not an IPv4 packet"),
    FEC_REFUSED(56, "FEC header refused by the decoder (reason in the FEC counters)"),
    BAD_FEEDBACK(57, "feedback body is not one 40-byte report"),
    STAGE_FAULT(60, "a stage threw on this frame"),
    NO_SEND_KEY(70, "no send key for the peer"),
    SEQ_EXHAUSTED(71, "send sequence numbers exhausted under this key (rekey needed)"),
    LINK_FULL(80, "the link could not take the frame"),
    CRITICAL_QUEUE_FULL(90, "scheduler's critical queue full"),
    BULK_QUEUE_FULL(91, "scheduler's bulk queue full"),
    SCHEDULER_DISCARDED(92, "queued in the scheduler at shutdown");

    /** One more than the largest id. */
    public static final int ID_LIMIT = idLimit();

    private static final DropReason[] BY_ID = byIdTable();

    private final int id;
    private final String label;
    private final String metricLabel;

    DropReason(int id, String label) {
        this.id = id;
        this.label = label;
        this.metricLabel = name().toLowerCase(Locale.ROOT);
    }

    public int id() {
        return id;
    }

    /** Human-readable description. */
    public String label() {
        return label;
    }

    /** The reason with this id. */
    public static DropReason byId(int id) {
        DropReason drop = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (drop == null) {
            throw new IllegalArgumentException("no drop reason " + id);
        }
        return drop;
    }

    /** Maps a {@link FrameStatus} code (from the header checks); OK maps to {@link #NONE}. */
    public static DropReason ofFrameStatus(int code) {
        return switch (FrameStatus.of(code)) {
            case OK -> NONE;
            case TOO_SHORT -> TOO_SHORT;
            case BAD_ETHERTYPE -> BAD_ETHERTYPE;
            case BAD_MAGIC -> BAD_MAGIC;
            case BAD_VERSION -> BAD_VERSION;
            case BAD_CRYPTO -> BAD_CRYPTO;
            case RESERVED_FLAG -> RESERVED_FLAG;
            case BAD_LENGTH -> BAD_LENGTH;
            case NONZERO_PADDING -> NONZERO_PADDING;
        };
    }

    /** Maps an {@link AeadStatus} code (a native open's result); OK maps to {@link #NONE}. */
    public static DropReason ofAead(int code) {
        return switch (AeadStatus.of(code)) {
            case OK -> NONE;
            case BAD_LENGTH -> AEAD_BAD_LENGTH;
            case NOT_ENCRYPTED -> NOT_ENCRYPTED;
            case REFLECTED -> REFLECTED;
            case BAD_NONCE -> BAD_NONCE;
            case AUTH_FAILED -> AUTH_FAILED;
            case SEQ_MISMATCH -> SEQ_MISMATCH;
            case CLOSED -> KEY_CLOSED;
            case INTERNAL -> AEAD_INTERNAL;
        };
    }

    /** Maps a replay-window verdict; ACCEPT maps to {@link #NONE}. */
    public static DropReason ofReplay(ReplayWindow.Status status) {
        return switch (status) {
            case ACCEPT -> NONE;
            case DUPLICATE -> REPLAY_DUPLICATE;
            case TOO_OLD -> REPLAY_TOO_OLD;
        };
    }

    /** The {@code reason} label value in Prometheus and the monitor: the name in lower case. */
    public String metricLabel() {
        return metricLabel;
    }

    /** The reason with this id, or null when no reason has it (an id from a newer writer). */
    public static DropReason byIdOrNull(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** The {@code reason} label for an id: the name, or {@code id_N} for an id this build does not know. */
    public static String metricLabel(int id) {
        DropReason d = byIdOrNull(id);
        return d != null ? d.metricLabel : "id_" + id;
    }

    /** True for the replay window's verdicts (counted again in {@link PeerCounter#REPLAY_DROPS}). */
    public static boolean isReplay(int id) {
        return id == REPLAY_DUPLICATE.id || id == REPLAY_TOO_OLD.id;
    }

    /** True for a failed authentication tag (counted again in {@link PeerCounter#AUTH_DROPS}). */
    public static boolean isAuth(int id) {
        return id == AUTH_FAILED.id;
    }

    private static int idLimit() {
        int max = 0;
        for (DropReason d : values()) {
            max = Math.max(max, d.id);
        }
        if (max >= TelemetryLayout.DROP_SLOTS) {
            throw new ExceptionInInitializerError("drop id " + max + " outside the record's drop area");
        }
        return max + 1;
    }

    private static DropReason[] byIdTable() {
        DropReason[] table = new DropReason[idLimit()];
        for (DropReason d : values()) {
            if (table[d.id] != null) {
                throw new ExceptionInInitializerError("drop id " + d.id + " used twice");
            }
            table[d.id] = d;
        }
        return table;
    }
}
