package org.m13.identity;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA512Digest;

/**
 * A key identifier: the first 16 bytes of SHA-512 over the 2592-byte ML-DSA-87 public
 * key (no label, no length prefix), so that {@code base64 -d | sha512sum | cut -c1-32}
 * reproduces it. The ClientHello names the node by it instead of carrying the key.
 * 128 bits make an accidental collision in an allow-list of at most 256 nodes
 * impossible in practice; a deliberate one (a second key with the same identifier)
 * would still fail the signature check, it could only make a node unreachable.
 */
public final class KeyId {
    public static final int BYTES = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private KeyId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The identifier of an encoded public key (any length; callers pass 2592 bytes). */
    public static KeyId derive(byte[] publicKey) {
        SHA512Digest sha = new SHA512Digest();
        sha.update(publicKey, 0, publicKey.length);
        byte[] digest = new byte[sha.getDigestSize()];
        sha.doFinal(digest, 0);
        return new KeyId(Arrays.copyOf(digest, BYTES));
    }

    /** Reads 16 bytes at {@code offset} (a key identifier received on the wire). */
    public static KeyId read(byte[] from, int offset) {
        return new KeyId(Arrays.copyOfRange(from, offset, offset + BYTES));
    }

    /** Writes the 16 bytes at {@code offset}. */
    public void write(byte[] to, int offset) {
        System.arraycopy(bytes, 0, to, offset, BYTES);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** 32 lower-case hex digits: how logs and {@code m13 show} name a key. */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeyId that && MessageDigest.isEqual(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
