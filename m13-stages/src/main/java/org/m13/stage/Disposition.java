package org.m13.stage;

/**
 * Where a received frame goes, decided by classify from its flags. Ids are stable. The
 * declaration order after {@link #PENDING} is the classify priority of the seed: the
 * first flag set wins, {@link #REGISTRATION} when none is.
 */
public enum Disposition {
    PENDING(0, "not classified yet"),
    FIN(1, "orderly close: control"),
    FEEDBACK(2, "receiver report: feedback"),
    FRAGMENT(3, "fragment: reassembly"),
    HANDSHAKE(4, "handshake message: handshake"),
    CONTROL(5, "echo, keepalive: control"),
    TUNNEL(6, "inner IP packet: tun-write"),
    FEC(7, "repair symbol: fec-decode"),
    REGISTRATION(8, "no flag set (registration): control");

    /** One more than the largest id: the length of a counter array indexed by id. */
    public static final int ID_LIMIT = 9;

    private final int id;
    private final String label;

    Disposition(int id, String label) {
        this.id = id;
        this.label = label;
    }

    public int id() {
        return id;
    }

    public String label() {
        return label;
    }
}
