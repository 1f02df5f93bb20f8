package org.m13.handshake;

import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMExtractor;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.mlkem.MLKEMPublicKeyParameters;

/**
 * The handshake's calls into Bouncy Castle, each counted in a {@link PqcCounter}
 * before it runs. Nothing here is home-made: ML-KEM-1024 (FIPS 203), ML-DSA-87
 * (FIPS 204, hedged signing with the injected random, with a context string), X25519
 * (RFC 7748) and HMAC-SHA-512 (RFC 2104).
 */
final class Crypto {
    static final int SHARED_SECRET_BYTES = 32;

    private final PqcCounter counter;

    Crypto(PqcCounter counter) {
        this.counter = counter;
    }

    AsymmetricCipherKeyPair mlKemKeyPair(SecureRandom random) {
        counter.countMlKemKeyGen();
        MLKEMKeyPairGenerator generator = new MLKEMKeyPairGenerator();
        generator.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_1024));
        return generator.generateKeyPair();
    }

    /** Encapsulates to a received key; a key failing FIPS 203's modulus check is BAD_KEY_SHARE. */
    SecretWithEncapsulation mlKemEncapsulate(byte[] encapsulationKey, SecureRandom random) {
        counter.countMlKemEncaps();
        try {
            return new MLKEMGenerator(random).generateEncapsulated(
                    new MLKEMPublicKeyParameters(MLKEMParameters.ml_kem_1024, encapsulationKey));
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(Reject.BAD_KEY_SHARE);
        }
    }

    /** Decapsulates (implicit rejection: a bad ciphertext yields a pseudo-random secret). */
    byte[] mlKemDecapsulate(MLKEMPrivateKeyParameters key, byte[] ciphertext) {
        counter.countMlKemDecaps();
        return new MLKEMExtractor(key).extractSecret(ciphertext);
    }

    byte[] mlDsaSign(MLDSAPrivateKeyParameters key, byte[] context, byte[] message, SecureRandom random) {
        counter.countMlDsaSign();
        MLDSASigner signer = new MLDSASigner();
        signer.init(true, new ParametersWithContext(new ParametersWithRandom(key, random), context));
        signer.update(message, 0, message.length);
        try {
            return signer.generateSignature();
        } catch (CryptoException e) {
            throw new IllegalStateException("ML-DSA-87 signing failed", e);
        }
    }

    boolean mlDsaVerify(MLDSAPublicKeyParameters key, byte[] context, byte[] message, byte[] signature) {
        counter.countMlDsaVerify();
        MLDSASigner verifier = new MLDSASigner();
        verifier.init(false, new ParametersWithContext(key, context));
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    X25519PrivateKeyParameters x25519KeyPair(SecureRandom random) {
        counter.countX25519();
        return new X25519PrivateKeyParameters(random);
    }

    /** X25519 agreement; an all-zero result (a low-order peer key) is BAD_KEY_SHARE. */
    byte[] x25519Agree(X25519PrivateKeyParameters own, byte[] peerPublicKey) {
        counter.countX25519();
        byte[] secret = new byte[SHARED_SECRET_BYTES];
        try {
            own.generateSecret(new X25519PublicKeyParameters(peerPublicKey, 0), secret, 0);
        } catch (IllegalStateException e) {
            throw new HandshakeException(Reject.BAD_KEY_SHARE);
        }
        return secret;
    }

    /** HMAC-SHA-512 over {@code data[offset..offset+length)}, truncated to {@code outBytes}. */
    static byte[] hmacSha512(byte[] key, byte[] data, int offset, int length, int outBytes) {
        HMac mac = new HMac(new SHA512Digest());
        mac.init(new KeyParameter(key));
        mac.update(data, offset, length);
        byte[] full = new byte[mac.getMacSize()];
        mac.doFinal(full, 0);
        byte[] out = java.util.Arrays.copyOf(full, outBytes);
        java.util.Arrays.fill(full, (byte) 0);
        return out;
    }

    /** Constant-time comparison of {@code expected} with {@code actual[offset..]}. */
    static boolean equalAt(byte[] expected, byte[] actual, int offset) {
        byte[] slice = java.util.Arrays.copyOfRange(actual, offset, offset + expected.length);
        return MessageDigest.isEqual(expected, slice);
    }
}
