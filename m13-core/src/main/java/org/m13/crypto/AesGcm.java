package org.m13.crypto;

import java.lang.ref.Cleaner;
import org.m13.sys.Native;
import org.m13.sys.NativeHandle;

/**
 * AES-256-GCM with one key, in native code (OpenSSL EVP), in place on native memory.
 *
 * <p>The OpenSSL contexts are created once per key; a seal or open then sets only the
 * IV, so the hot path allocates nothing and makes one JNI call with primitive
 * arguments. Frame methods take the address of the M13 header ({@code sig}) and the
 * number of bytes from there to the end of the frame; the layout is in
 * docs/PROTOCOL.md:
 * <pre>
 *   sig+0..4   AAD: magic, version, crypto, key phase
 *   sig+4..20  tag (written by seal)
 *   sig+20..32 nonce = seq (8, big endian) | direction (1) | 00 00 00 (written by seal)
 *   sig+32..   encrypted: seq, flags, length, padding, body
 * </pre>
 *
 * <p>Threads: one thread may seal while another opens (separate contexts); two
 * threads must not seal (or open) with the same key at once. Closing is idempotent;
 * a Cleaner frees the contexts if the owner forgets.
 */
public final class AesGcm implements AutoCloseable {
    public static final int KEY_BYTES = 32;
    public static final int TAG_BYTES = 16;
    public static final int NONCE_BYTES = 12;

    /** The OpenSSL contexts; freed once, by close() or by the Cleaner. */
    private final NativeHandle handle;

    private AesGcm(long handle) {
        this.handle = new NativeHandle(this, handle, 0, AesGcm::destroy);
    }

    /** Creates the contexts for a 32-byte key; the caller keeps (and may wipe) its array. */
    public static AesGcm withKey(byte[] key) {
        Native.ensureAvailable();
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM key must be 32 bytes, got " + key.length);
        }
        return new AesGcm(create(key));
    }

    /**
     * Seals a frame in place: writes the nonce and the sequence number, encrypts from
     * sig+32 to the end and writes the tag. The AAD bytes (sig+0..4, crypto = 0x01)
     * must already be set.
     *
     * @return {@link AeadStatus#code()}: 0, or negative on failure
     */
    public int sealFrame(long sigAddress, int sigLength, long seq, int direction) {
        return sealFrame(handle.get(), sigAddress, sigLength, seq, direction);
    }

    /**
     * Verifies and decrypts a frame in place. Refuses a frame whose nonce carries
     * {@code ourDirection} (a reflection of our own traffic) before any AES work.
     * On failure the encrypted region is garbage and the frame must be dropped.
     *
     * @return {@link AeadStatus#code()}: 0, or negative on failure
     */
    public int openFrame(long sigAddress, int sigLength, int ourDirection) {
        return openFrame(handle.get(), sigAddress, sigLength, ourDirection);
    }

    /** General seal (12-byte IV, any AAD), for known-answer vectors and tests. */
    public int seal(long ivAddress, long aadAddress, int aadLength, long dataAddress, int dataLength,
            long tagAddress) {
        return sealRaw(handle.get(), ivAddress, aadAddress, aadLength, dataAddress, dataLength, tagAddress);
    }

    /** General open (12-byte IV, any AAD), for known-answer vectors and tests. */
    public int open(long ivAddress, long aadAddress, int aadLength, long dataAddress, int dataLength,
            long tagAddress) {
        return openRaw(handle.get(), ivAddress, aadAddress, aadLength, dataAddress, dataLength, tagAddress);
    }

    @Override
    public void close() {
        handle.close();
    }

    private static native long create(byte[] key);

    private static native void destroy(long handle);

    private static native int sealFrame(long handle, long sig, int sigLength, long seq, int direction);

    private static native int openFrame(long handle, long sig, int sigLength, int ourDirection);

    private static native int sealRaw(long handle, long iv, long aad, int aadLength, long data, int dataLength,
            long tag);

    private static native int openRaw(long handle, long iv, long aad, int aadLength, long data, int dataLength,
            long tag);
}
