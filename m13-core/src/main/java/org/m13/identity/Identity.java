package org.m13.identity;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPrivateKeyParameters;

/**
 * A static ML-DSA-87 identity: the private key and its public half.
 *
 * <p>The private key is held as its 32-byte FIPS 204 seed (ξ, the input of
 * ML-DSA.KeyGen_internal), which is also what the key file stores; the expanded
 * signing key is derived from it. {@link #close()} zeroes the seed. The expanded key
 * inside Bouncy Castle's parameter object cannot be wiped from outside; the reference
 * is dropped so that it becomes garbage (see docs/PROTOCOL-HANDSHAKE.md, "Not done").
 */
public final class Identity implements AutoCloseable {
    public static final int SEED_BYTES = 32;

    private final byte[] seed;
    private final PublicIdentity publicIdentity;
    private MLDSAPrivateKeyParameters signingKey;

    private Identity(byte[] seed) {
        this.seed = seed;
        this.signingKey = new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_87, seed);
        this.publicIdentity = PublicIdentity.of(signingKey.getPublicKey());
    }

    /** A fresh identity from {@code random} (32 bytes drawn). */
    public static Identity generate(SecureRandom random) {
        byte[] seed = new byte[SEED_BYTES];
        random.nextBytes(seed);
        return new Identity(seed);
    }

    /** The identity of a 32-byte seed; the caller keeps (and should wipe) its array. */
    public static Identity fromSeed(byte[] seed) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("ML-DSA-87 seed must be " + SEED_BYTES + " bytes, got " + seed.length);
        }
        return new Identity(seed.clone());
    }

    public PublicIdentity publicIdentity() {
        return publicIdentity;
    }

    public KeyId keyId() {
        return publicIdentity.keyId();
    }

    /** The Bouncy Castle signing key; refused after {@link #close()}. */
    public MLDSAPrivateKeyParameters signingKey() {
        MLDSAPrivateKeyParameters key = signingKey;
        if (key == null) {
            throw new IllegalStateException("identity " + publicIdentity.keyId() + " is closed");
        }
        return key;
    }

    /** A copy of the seed, for writing the key file; the caller wipes it. */
    byte[] seedCopy() {
        if (isClosed()) {
            throw new IllegalStateException("identity " + publicIdentity.keyId() + " is closed");
        }
        return seed.clone();
    }

    public boolean isClosed() {
        return signingKey == null;
    }

    /** Zeroes the seed and drops the signing key. Idempotent. */
    @Override
    public void close() {
        Arrays.fill(seed, (byte) 0);
        signingKey = null;
    }

    /** Never the key: the identifier of the public half only. */
    @Override
    public String toString() {
        return "Identity(" + publicIdentity.keyId() + (isClosed() ? ", closed)" : ")");
    }
}
