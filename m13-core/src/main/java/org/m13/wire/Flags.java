package org.m13.wire;

/**
 * Bits of the flags byte (sig+40). Several may be set at once (a handshake fragment is
 * CONTROL | HANDSHAKE | FRAGMENT); a receiver routes by the first match in the classify
 * order FIN, FEEDBACK, FRAGMENT, HANDSHAKE, CONTROL, TUNNEL, FEC. Bit 0 is reserved:
 * senders write 0 and receivers drop frames that set it, so it can gain a meaning later
 * without old receivers misreading it.
 */
public final class Flags {
    public static final int CONTROL = 0x80;
    public static final int FEEDBACK = 0x40;
    public static final int TUNNEL = 0x20;
    public static final int FEC = 0x10;
    public static final int FIN = 0x08;
    public static final int HANDSHAKE = 0x04;
    public static final int FRAGMENT = 0x02;
    public static final int RESERVED = 0x01;

    private Flags() {
    }
}
