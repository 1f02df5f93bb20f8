package org.m13.telemetry;

/**
 * The telemetry file's byte layout, described once. All integers little-endian (the
 * host's order; writer and reader share the machine). Offsets are from the start of the
 * file; every long is 8-byte aligned, so a reader's 8-byte load never tears.
 *
 * <pre>
 * header (HEADER_SIZE = 128 bytes)
 *   0  long  magic            "M13TELEM" in ASCII
 *   8  int   layout version   {@link #VERSION}
 *  12  int   header size      128
 *  16  long  writer pid
 *  24  long  start time       epoch milliseconds
 *  32  long  heartbeat        writer's System.nanoTime (CLOCK_MONOTONIC), once a second
 *  40  int   record count     records in the file (capacity, used or not)
 *  44  int   record size      1216
 *  48  int   counter slots    16
 *  52  int   drop slots       128
 *  56  long  state            1 running, 2 closed
 *  64  ...   reserved (zero)
 * record i at HEADER_SIZE + i * RECORD_SIZE
 *   0  long  sequence         seqlock: odd while its owner updates the record
 *   8  int   kind             0 free, 1 stage, 2 peer (written last when a record is claimed)
 *  12  int   name length      bytes, at most 48
 *  16  48 B  name             US-ASCII, zero padded
 *  64  16 x long counters     slot n at 64 + 8n: {@link StageCounter} or {@link PeerCounter}
 * 192  128 x long drops       reason id n at 192 + 8n: {@link DropReason}
 * </pre>
 */
public final class TelemetryLayout {
    /** "M13TELEM" read as a little-endian long. */
    public static final long MAGIC = 0x4D454C455433314DL;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int HEADER_SIZE_OFFSET = 12;
    public static final int PID_OFFSET = 16;
    public static final int START_MILLIS_OFFSET = 24;
    public static final int HEARTBEAT_OFFSET = 32;
    public static final int RECORD_COUNT_OFFSET = 40;
    public static final int RECORD_SIZE_OFFSET = 44;
    public static final int COUNTER_SLOTS_OFFSET = 48;
    public static final int DROP_SLOTS_OFFSET = 52;
    public static final int STATE_OFFSET = 56;
    public static final int HEADER_SIZE = 128;

    public static final long STATE_RUNNING = 1;
    public static final long STATE_CLOSED = 2;

    public static final int SEQUENCE_OFFSET = 0;
    public static final int KIND_OFFSET = 8;
    public static final int NAME_LENGTH_OFFSET = 12;
    public static final int NAME_OFFSET = 16;
    public static final int NAME_MAX = 48;
    public static final int COUNTERS_OFFSET = 64;
    public static final int COUNTER_SLOTS = 16;
    public static final int DROPS_OFFSET = COUNTERS_OFFSET + 8 * COUNTER_SLOTS;
    public static final int DROP_SLOTS = 128;
    public static final int RECORD_SIZE = DROPS_OFFSET + 8 * DROP_SLOTS;

    private TelemetryLayout() {
    }

    /** Offset of record {@code index} from the start of the file. */
    public static long recordOffset(int index) {
        return HEADER_SIZE + (long) index * RECORD_SIZE;
    }

    /** Bytes of a file with {@code records} records. */
    public static long fileSize(int records) {
        return recordOffset(records);
    }

    /** Offset of counter {@code slot} within a record. */
    public static int counterOffset(int slot) {
        return COUNTERS_OFFSET + 8 * slot;
    }

    /** Offset of the drop counter for reason {@code id} within a record. */
    public static int dropOffset(int id) {
        return DROPS_OFFSET + 8 * id;
    }
}
