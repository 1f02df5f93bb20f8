package org.m13.fec;

import org.m13.wire.Wire;

/**
 * Limits of the FEC code and how a FEC symbol fits one datagram.
 *
 * <pre>
 * repair frame = ETH 14 | M13 48 | FEC header 8 | coded payload (2 + 1400)  = 1472
 * source frame = ETH 14 | M13 48 | FEC header 8 | data (at most 1400)       = 1470
 * coded payload of a source = length (u16, big endian) | data | zeros up to the
 *                             generation's width (the longest coded payload)
 * </pre>
 * A repair is 2 bytes longer than the longest source of its generation (it carries
 * the coded length prefixes), so an inner packet protected by FEC is at most
 * {@value #MAX_SYMBOL_BYTES} bytes: the tunnel MTU with FEC on.
 */
public final class Fec {
    /** Source symbols per generation, at most. The masks of the decoder are 32-bit ints. */
    public static final int MAX_K = 32;
    /** Repair symbols per generation, at most. */
    public static final int MAX_M = 32;
    /** Bytes of the length prefix that opens every coded payload. */
    public static final int LENGTH_PREFIX_BYTES = 2;
    /** Largest source symbol (inner packet) that, coded, still fits one datagram: 1400. */
    public static final int MAX_SYMBOL_BYTES = Wire.MAX_UDP_PAYLOAD - Wire.ETH_HEADER_BYTES
            - Wire.M13_HEADER_BYTES - FecHeader.BYTES - LENGTH_PREFIX_BYTES;
    /** Largest symbol a codec can be built for: the length prefix is 16 bits. */
    public static final int MAX_CAPACITY = 0xFFFF - LENGTH_PREFIX_BYTES;

    private Fec() {
    }

    static int checkCapacity(int symbolCapacity) {
        if (symbolCapacity < 1 || symbolCapacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("symbol capacity " + symbolCapacity + " outside 1.." + MAX_CAPACITY);
        }
        return symbolCapacity;
    }
}
