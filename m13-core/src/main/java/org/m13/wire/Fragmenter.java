package org.m13.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Splits a message of 1..{@value Wire#MAX_MESSAGE_BYTES} bytes into at most
 * {@value Wire#MAX_FRAGMENTS} fragment bodies (fragment header + chunk), one call per
 * fragment, so the sender writes each straight into its outgoing frame after the M13
 * header and nothing is staged or allocated. Every chunk but the last is exactly
 * {@value Wire#MAX_FRAGMENT_CHUNK} bytes, which keeps each frame within a 1472-byte UDP
 * payload. One instance per sending thread (it holds a reusable flyweight).
 */
public final class Fragmenter {
    private final FragmentHeader header = new FragmentHeader();

    /** Number of fragments for a message of {@code messageLength} bytes (1..9216). */
    public static int fragmentCount(int messageLength) {
        checkMessageLength(messageLength);
        return (messageLength + Wire.MAX_FRAGMENT_CHUNK - 1) / Wire.MAX_FRAGMENT_CHUNK;
    }

    /** Chunk bytes carried by fragment {@code fragmentIndex} of a message of {@code messageLength} bytes. */
    public static int chunkLength(int messageLength, int fragmentIndex) {
        int count = fragmentCount(messageLength);
        if (fragmentIndex < 0 || fragmentIndex >= count) {
            throw new IllegalArgumentException(
                    "fragment " + fragmentIndex + " of a " + count + "-fragment message");
        }
        return fragmentIndex == count - 1
                ? messageLength - fragmentIndex * Wire.MAX_FRAGMENT_CHUNK
                : Wire.MAX_FRAGMENT_CHUNK;
    }

    /**
     * Writes fragment {@code fragmentIndex} of the message at {@code src[srcIndex,
     * srcIndex + messageLength)} into {@code dst} at {@code dstIndex}: the fragment
     * header, then the chunk. Touches no other byte of {@code dst} (the M13 header is the
     * caller's). Absolute indexes; neither buffer's position moves.
     *
     * @param msgId the sender's message counter; its low 16 bits are written
     * @return bytes written, {@link Wire#FRAGMENT_HEADER_BYTES} + chunk length (the frame's body length)
     * @throws IllegalArgumentException if {@code messageLength} is not 1..9216 or the
     *     index is not below {@link #fragmentCount}
     * @throws IndexOutOfBoundsException if the source or destination region exceeds its buffer's limit
     */
    public int write(ByteBuffer src, int srcIndex, int messageLength, int msgId, int fragmentIndex,
                     ByteBuffer dst, int dstIndex) {
        int total = fragmentCount(messageLength);
        int chunk = chunkLength(messageLength, fragmentIndex);
        int offset = fragmentIndex * Wire.MAX_FRAGMENT_CHUNK;
        int bytes = FragmentHeader.BYTES + chunk;
        Objects.checkFromIndexSize(srcIndex, messageLength, src.limit());
        Objects.checkFromIndexSize(dstIndex, bytes, dst.limit());
        header.wrap(dst, dstIndex)
                .msgId(msgId)
                .index(fragmentIndex)
                .total(total)
                .offset(offset)
                .length(chunk);
        dst.put(dstIndex + FragmentHeader.BYTES, src, srcIndex + offset, chunk);
        return bytes;
    }

    private static void checkMessageLength(int messageLength) {
        if (messageLength < 1 || messageLength > Wire.MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(
                    "message length " + messageLength + " outside 1.." + Wire.MAX_MESSAGE_BYTES);
        }
    }
}
