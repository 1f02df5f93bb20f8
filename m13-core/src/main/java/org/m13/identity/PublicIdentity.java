package org.m13.identity;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;

/**
 * An ML-DSA-87 public key (2592 bytes, FIPS 204 encoding) and its {@link KeyId}. This
 * is what the node pins for the hub and what the hub's allow-list holds per node.
 * Immutable; the text form is standard base64 with padding (3456 characters).
 */
public final class PublicIdentity {
    public static final int BYTES = 2592;
    /** Length of the base64 text: 4 * ceil(2592 / 3). */
    public static final int BASE64_CHARS = 3456;

    private final byte[] encoded;
    private final KeyId keyId;
    private final MLDSAPublicKeyParameters parameters;

    private PublicIdentity(byte[] encoded) {
        this.encoded = encoded;
        this.keyId = KeyId.derive(encoded);
        this.parameters = new MLDSAPublicKeyParameters(MLDSAParameters.ml_dsa_87, encoded);
    }

    /** Wraps an encoded public key (copied); refuses any length but 2592. */
    public static PublicIdentity of(byte[] encoded) {
        if (encoded.length != BYTES) {
            throw new IllegalArgumentException(
                    "ML-DSA-87 public key must be " + BYTES + " bytes, got " + encoded.length);
        }
        return new PublicIdentity(encoded.clone());
    }

    /**
     * Parses the base64 text of a public key (surrounding white space ignored). The
     * message of the exception says what is wrong; a config reader adds file and key.
     */
    public static PublicIdentity fromBase64(String text) {
        String trimmed = text.strip();
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public key is not valid base64: " + e.getMessage(), e);
        }
        if (decoded.length != BYTES) {
            throw new IllegalArgumentException("public key must decode to " + BYTES
                    + " bytes (" + BASE64_CHARS + " base64 characters), got " + decoded.length + " bytes");
        }
        return new PublicIdentity(decoded);
    }

    public byte[] encoded() {
        return encoded.clone();
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(encoded);
    }

    public KeyId keyId() {
        return keyId;
    }

    /** The Bouncy Castle verification key. */
    public MLDSAPublicKeyParameters verificationKey() {
        return parameters;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PublicIdentity that && MessageDigest.isEqual(encoded, that.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    /** The key identifier only: a public key is 3456 characters of noise in a log. */
    @Override
    public String toString() {
        return "ML-DSA-87 " + keyId.hex();
    }
}
