package org.m13.handshake;

import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.m13.identity.PublicIdentity;

/**
 * The ClientHello's DoS-guard MAC ("mac1", after WireGuard's): only someone who knows
 * the hub's public key can make the hub do any work beyond one HMAC.
 * <pre>
 *   K_mac1 = SHA-512("M13-HS-v2 mac1" || hub ML-DSA-87 public key)      (64 bytes)
 *   mac1   = HMAC-SHA-512(K_mac1, ClientHello bytes 0..2772)[0..16]
 * </pre>
 * The hub checks it before allow-list lookup, state or any X25519/ML-KEM/ML-DSA work.
 * It is not authentication (the hub key is public); it keeps strangers who do not
 * know the key from costing anything.
 *
 * <p>Under load the hub also wants mac2, made with a cookie that proves the sender
 * receives at its source address (see {@link CookieJar}):
 * <pre>
 *   mac2     = HMAC-SHA-512(cookie, ClientHello bytes 0..2788)[0..16]
 *   K_cookie = SHA-512("M13-HS-v2 cookie" || hub public key)[0..32]   (seals CookieReply)
 * </pre>
 * Immutable; one per hub key.
 */
public final class DosGuard {
    private final byte[] key;
    private final byte[] cookieKey;

    public DosGuard(PublicIdentity hub) {
        byte[] hubKey = hub.encoded();
        key = hash(HandshakeProtocol.MAC1_LABEL, hubKey);
        cookieKey = Arrays.copyOf(hash(HandshakeProtocol.COOKIE_LABEL, hubKey), 32);
    }

    private static byte[] hash(byte[] label, byte[] hubKey) {
        SHA512Digest sha = new SHA512Digest();
        sha.update(label, 0, label.length);
        sha.update(hubKey, 0, hubKey.length);
        byte[] out = new byte[sha.getDigestSize()];
        sha.doFinal(out, 0);
        return out;
    }

    /** The 16-byte MAC over any byte range under this hub's key (for the fragment layer too). */
    public byte[] mac(byte[] data, int offset, int length) {
        return Crypto.hmacSha512(key, data, offset, length, HandshakeProtocol.MAC_BYTES);
    }

    /** Writes mac1 into a ClientHello-sized message. */
    void stamp(byte[] clientHello) {
        byte[] mac = mac(clientHello, 0, ClientHello.AUTHENTICATED_BYTES);
        System.arraycopy(mac, 0, clientHello, ClientHello.OFFSET_MAC1, mac.length);
    }

    /**
     * True if {@code message} has the length of a ClientHello and a correct mac1
     * (constant-time comparison). Costs one HMAC-SHA-512 over 2772 bytes.
     */
    public boolean check(byte[] message) {
        if (message.length != ClientHello.BYTES) {
            return false;
        }
        byte[] expected = mac(message, 0, ClientHello.AUTHENTICATED_BYTES);
        boolean ok = Crypto.equalAt(expected, message, ClientHello.OFFSET_MAC1);
        Arrays.fill(expected, (byte) 0);
        return ok;
    }

    /** True if the ClientHello's mac2 is right for {@code cookie} (constant-time). */
    boolean checkMac2(byte[] clientHello, byte[] cookie) {
        byte[] expected = Crypto.hmacSha512(cookie, clientHello, 0, ClientHello.OFFSET_MAC2, HandshakeProtocol.MAC_BYTES);
        boolean ok = Crypto.equalAt(expected, clientHello, ClientHello.OFFSET_MAC2);
        Arrays.fill(expected, (byte) 0);
        return ok;
    }

    /** Writes mac2 made with {@code cookie} into a ClientHello (mac1 must already be set). */
    void stampMac2(byte[] clientHello, byte[] cookie) {
        byte[] mac = Crypto.hmacSha512(cookie, clientHello, 0, ClientHello.OFFSET_MAC2, HandshakeProtocol.MAC_BYTES);
        System.arraycopy(mac, 0, clientHello, ClientHello.OFFSET_MAC2, mac.length);
    }

    /** Hub: a CookieReply carrying {@code cookie}, bound to the mac1 of the ClientHello it answers. */
    byte[] sealCookie(byte[] cookie, byte[] clientHello, SecureRandom random) {
        byte[] nonce = new byte[HandshakeProtocol.COOKIE_NONCE_BYTES];
        random.nextBytes(nonce);
        ChaCha20Poly1305 aead = cookieAead(true, nonce, clientHello);
        byte[] sealed = new byte[HandshakeProtocol.COOKIE_BYTES + HandshakeProtocol.COOKIE_TAG_BYTES];
        int n = aead.processBytes(cookie, 0, cookie.length, sealed, 0);
        try {
            n += aead.doFinal(sealed, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
        if (n != sealed.length) {
            throw new IllegalStateException("sealed cookie is " + n + " bytes");
        }
        return CookieReply.build(nonce, sealed).encode();
    }

    /** Node: the cookie in a CookieReply answering {@code clientHello}, or null if it does not open. */
    byte[] openCookie(CookieReply reply, byte[] clientHello) {
        byte[] sealed = reply.sealedCookie();
        ChaCha20Poly1305 aead = cookieAead(false, reply.nonce(), clientHello);
        byte[] cookie = new byte[HandshakeProtocol.COOKIE_BYTES];
        try {
            int n = aead.processBytes(sealed, 0, sealed.length, cookie, 0);
            n += aead.doFinal(cookie, n);
            return n == cookie.length ? cookie : null;
        } catch (InvalidCipherTextException e) {
            return null;
        }
    }

    private ChaCha20Poly1305 cookieAead(boolean seal, byte[] nonce, byte[] clientHello) {
        byte[] mac1 = Arrays.copyOfRange(clientHello, ClientHello.OFFSET_MAC1, ClientHello.OFFSET_MAC2);
        ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        aead.init(seal, new AEADParameters(new KeyParameter(cookieKey), 8 * HandshakeProtocol.COOKIE_TAG_BYTES, nonce,
                mac1));
        return aead;
    }
}
