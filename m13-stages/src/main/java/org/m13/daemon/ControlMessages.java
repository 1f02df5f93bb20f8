package org.m13.daemon;

/**
 * Bodies of CONTROL and FIN frames (docs/PROTOCOL.md §9). The first body byte is the
 * type:
 * <pre>
 *   REGISTER   (flags 0x00, no body)   node -> hub, cleartext: "I am here, send an echo"
 *   ECHO       0x01                    hub -> node, cleartext: answer to a registration (100 ms throttle)
 *   KEEPALIVE  0x02 [tunnel ip (4)]    node -> hub, sealed: the address the node holds (0 = none);
 *                                      hub -> node, sealed: the answer
 *   ADDRESS    0x03 [ip (4)][prefix (1)][mtu (2)]  hub -> node, sealed: the node's tunnel address
 *   FIN        0x00 (flag FIN)         either way, sealed: orderly close
 *   FIN-ACK    0x01 (flag FIN)         the answer
 * </pre>
 */
public final class ControlMessages {
    public static final int ECHO = 0x01;
    public static final int KEEPALIVE = 0x02;
    public static final int ADDRESS = 0x03;
    public static final int FIN = 0x00;
    public static final int FIN_ACK = 0x01;

    public static final int KEEPALIVE_BYTES = 5;
    public static final int ADDRESS_BYTES = 8;

    /** Handshake message types (first body byte of an unfragmented HANDSHAKE frame). */
    public static final int HS_COOKIE_REPLY = 0x04;
    public static final int HS_ACK = 0x05;

    private ControlMessages() {
    }

    public static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    public static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** "10.13.0.2". */
    public static String ipToString(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }
}
