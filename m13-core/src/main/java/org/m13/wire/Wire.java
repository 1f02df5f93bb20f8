package org.m13.wire;

/**
 * Sizes and constants of the M13 wire format (docs/PROTOCOL.md has the byte tables).
 *
 * <pre>
 * frame = ETH (14) | M13 header (48) | body
 *   L2 placement:  the frame is the Ethernet frame (EtherType 0x88B5), at offset 0
 *   UDP placement: the frame is the UDP payload; the hub sees it at offset 42 of the
 *                  received Ethernet frame (ETH 14 + IPv4 20 + UDP 8), the node at 0
 * sig = frame start + 14 (the M13 header)
 * </pre>
 */
public final class Wire {
    public static final int ETH_HEADER_BYTES = 14;
    public static final int M13_HEADER_BYTES = 48;
    public static final int FRAGMENT_HEADER_BYTES = 8;

    /** Smallest valid frame: Ethernet and M13 headers, empty body (the registration frame). */
    public static final int MIN_FRAME_BYTES = ETH_HEADER_BYTES + M13_HEADER_BYTES;

    public static final int ETHERTYPE_M13 = 0x88B5;
    public static final int MAGIC = 0xD1;
    public static final int VERSION = 0x01;
    public static final int CRYPTO_CLEARTEXT = 0x00;
    public static final int CRYPTO_AES_256_GCM = 0x01;

    /** Where the frame starts in an Ethernet frame the hub receives over UDP/IPv4. */
    public static final int UDP_HUB_FRAME_OFFSET = 14 + 20 + 8;
    /** Where the frame starts in a datagram the node receives from its UDP socket. */
    public static final int UDP_NODE_FRAME_OFFSET = 0;
    /** Where the frame starts in a raw L2 frame (EtherType 0x88B5). */
    public static final int L2_FRAME_OFFSET = 0;

    /** Largest UDP payload that fits a 1500-byte IPv4 MTU (1500 - 20 - 8). */
    public static final int MAX_UDP_PAYLOAD = 1472;
    /** Largest fragment chunk: 1472 - ETH 14 - M13 48 - fragment header 8. */
    public static final int MAX_FRAGMENT_CHUNK =
            MAX_UDP_PAYLOAD - ETH_HEADER_BYTES - M13_HEADER_BYTES - FRAGMENT_HEADER_BYTES;
    /** Largest message that fragmentation carries (handshake messages, jumbo packets). */
    public static final int MAX_MESSAGE_BYTES = 9216;
    /** ceil(9216 / 1402) = 7 fragments at most. */
    public static final int MAX_FRAGMENTS = (MAX_MESSAGE_BYTES + MAX_FRAGMENT_CHUNK - 1) / MAX_FRAGMENT_CHUNK;

    private Wire() {
    }
}
