package org.m13.bench.e2e;

/** The columns, in the order the harness runs them; ids are the driver file names. */
public enum Tunnel {
    BARE("bare", "bare veth"),
    M13("m13", "M13"),
    WIREGUARD_GO("wireguard-go", "wireguard-go"),
    OPENVPN("openvpn", "OpenVPN");

    /** Every ratio in the report is to this column. */
    public static final Tunnel REFERENCE = WIREGUARD_GO;

    private final String id;
    private final String label;

    Tunnel(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** The tunnel of a driver name; an unknown name is an error naming it. */
    public static Tunnel byId(String id) {
        for (Tunnel t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown tunnel '" + id + "' (bare, m13, wireguard-go, openvpn)");
    }
}
